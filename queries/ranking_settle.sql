-- name: ranking_settle
-- Per epoch (step): how close the trials' ranking then is to their final ranking.
-- For each experiment and step where every used trial (complete, with a finite final value)
-- has a value: n, the Spearman correlation (average ranks for ties) between the ranking by the
-- value reduced up to that step (best so far, last, or mean of the last last_k) and the final
-- ranking by trial_metric with the same reduction, how many of the final top_k are in the
-- top_k then (ties broken by trial_uid), and whether the leader then is the final winner.
-- param metric: str                 -- the metric to rank by
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param reduction: str = best       -- best | last | mean_last
-- param last_k: int >= 1 = 5        -- mean_last: how many last values
-- param top_k: int >= 1 = 5         -- the size of the top set
-- param direction: str = NULL       -- min | max (NULL: from optim_metrics)
WITH final AS (
    SELECT f.experiment_id, f.trial_uid, f.value,
        needed_direction(f.direction, f.metric, f.experiment_id) AS direction
    FROM trial_metric($metric, reduction := $reduction, k := $last_k, direction := $direction,
                      experiment := $experiment) f
    JOIN trials t ON t.experiment_id = f.experiment_id AND t.trial_uid = f.trial_uid
    WHERE t.status = 'complete' AND f.value IS NOT NULL AND isfinite(f.value)
      AND lower($reduction) IN ('best', 'last', 'mean_last')
),
final_ranked AS (
    SELECT f.*,
        row_number() OVER (PARTITION BY f.experiment_id
                           ORDER BY order_key(f.value, f.direction), f.trial_uid) AS place,
        rank() OVER (PARTITION BY f.experiment_id ORDER BY order_key(f.value, f.direction))
            + (count(*) OVER (PARTITION BY f.experiment_id, f.value) - 1) / 2.0 AS avg_rank
    FROM final f
),
running AS (
    SELECT m.experiment_id, m.trial_uid, m.step, f.direction,
        CASE lower($reduction)
            WHEN 'best' THEN CASE WHEN f.direction = 'max'
                                  THEN max(m.value) OVER w ELSE min(m.value) OVER w END
            WHEN 'last' THEN m.value
            ELSE avg(m.value) OVER (PARTITION BY m.experiment_id, m.trial_uid ORDER BY m.step
                                    ROWS BETWEEN $last_k - 1 PRECEDING AND CURRENT ROW)
        END AS value
    FROM metrics m
    JOIN final f ON f.experiment_id = m.experiment_id AND f.trial_uid = m.trial_uid
    WHERE m.name = $metric AND m.value IS NOT NULL AND isfinite(m.value)
    WINDOW w AS (PARTITION BY m.experiment_id, m.trial_uid ORDER BY m.step
                 ROWS UNBOUNDED PRECEDING)
),
complete_steps AS (
    SELECT r.experiment_id, r.step
    FROM running r
    GROUP BY r.experiment_id, r.step
    HAVING count(*) = (SELECT count(*) FROM final f WHERE f.experiment_id = r.experiment_id)
),
step_ranked AS (
    SELECT r.experiment_id, r.trial_uid, r.step,
        row_number() OVER (PARTITION BY r.experiment_id, r.step
                           ORDER BY order_key(r.value, r.direction), r.trial_uid) AS place,
        rank() OVER (PARTITION BY r.experiment_id, r.step
                     ORDER BY order_key(r.value, r.direction))
            + (count(*) OVER (PARTITION BY r.experiment_id, r.step, r.value) - 1) / 2.0
            AS avg_rank
    FROM running r
    JOIN complete_steps c ON c.experiment_id = r.experiment_id AND c.step = r.step
)
SELECT s.experiment_id, s.step, count(*) AS n,
    corr(s.avg_rank, f.avg_rank) AS spearman,
    count(*) FILTER (WHERE s.place <= $top_k AND f.place <= $top_k) AS top_k_kept,
    least($top_k, count(*)) AS top_k,
    bool_or(s.place = 1 AND f.place = 1) AS winner_leads
FROM step_ranked s
JOIN final_ranked f ON f.experiment_id = s.experiment_id AND f.trial_uid = s.trial_uid
GROUP BY s.experiment_id, s.step
ORDER BY s.experiment_id, s.step
