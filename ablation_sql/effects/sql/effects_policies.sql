-- name: effects_policies
-- effects: one row per trial of $experiment: its status, whether its results.json was whole,
-- and $metric reduced by each policy: best and last as trial_best caches them (NULL unless
-- $metric is in the experiment's optim_metrics with $direction) and, when $mean_last, the mean
-- of its last $k values by trial_metric (NULL otherwise).
-- param experiment: str
-- param metric: str
-- param direction: str
-- param k: int
-- param mean_last: bool
SELECT t.trial_uid, t.status, coalesce(t.results_complete, false) AS results_complete,
    b.best_value AS best, b.last_value AS last, l.value AS mean_last
FROM trials t
LEFT JOIN trial_best b ON b.experiment_id = t.experiment_id AND b.trial_uid = t.trial_uid
    AND b.metric = $metric AND b.direction = $direction
LEFT JOIN (
    SELECT r.trial_uid, r.value
    FROM trial_metric($metric, reduction := 'mean_last', k := $k, direction := $direction,
                      experiment := $experiment) r
    WHERE $mean_last
) l ON l.trial_uid = t.trial_uid
WHERE t.experiment_id = $experiment
ORDER BY t.trial_uid
