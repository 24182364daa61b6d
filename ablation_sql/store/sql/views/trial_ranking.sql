-- name: trial_ranking
-- trial_ranking: trials ranked by their best value within each experiment and metric. Rank 1 is
-- the best by direction; ties share a rank (rank(): 1, 1, 3); a best of ±inf ranks after every
-- finite best; trials without a best value have NULL rank and percentile. percentile is
-- 100 * (1 - percent_rank()): 100 for the best trial, 0 for the worst. (Static view.)
CREATE OR REPLACE VIEW trial_ranking AS
SELECT b.experiment_id, b.trial_uid, b.metric, b.direction, b.best_value,
    CASE WHEN b.best_value IS NOT NULL THEN rank() OVER w END AS rank,
    CASE WHEN b.best_value IS NOT NULL THEN 100 * (1 - percent_rank() OVER w) END AS percentile
FROM trial_best b
WINDOW w AS (PARTITION BY b.experiment_id, b.metric, b.best_value IS NULL
             ORDER BY isinf(b.best_value), order_key(b.best_value, b.direction));
