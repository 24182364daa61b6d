-- name: effects_policies
-- effects: one row per trial of $experiment: its status, whether its results.json was whole,
-- and $metric reduced by each policy: best and last as trial_best caches them (NULL unless
-- $metric is in the experiment's optim_metrics with $direction) and, when $mean_last, the mean
-- of its last $k values, NULL and NaN skipped (trial_metric's mean_last; NULL otherwise).
-- param experiment: str
-- param metric: str
-- param direction: str
-- param k: int
-- param mean_last: bool
WITH tail AS (
    SELECT m.trial_uid, list_avg(arg_max(m.value, m.step, $k)) AS mean_last
    FROM metrics m
    WHERE $mean_last AND m.experiment_id = $experiment AND m.name = $metric
        AND m.value IS NOT NULL AND NOT isnan(m.value)
    GROUP BY m.trial_uid
)
SELECT t.trial_uid, t.status, coalesce(t.results_complete, false) AS results_complete,
    b.best_value AS best, b.last_value AS last, l.mean_last
FROM trials t
LEFT JOIN trial_best b ON b.experiment_id = t.experiment_id AND b.trial_uid = t.trial_uid
    AND b.metric = $metric AND b.direction = $direction
LEFT JOIN tail l ON l.trial_uid = t.trial_uid
WHERE t.experiment_id = $experiment
ORDER BY t.trial_uid
