-- name: effects_trials
-- effects: one row per trial of $experiment: its status, whether its results.json was whole,
-- and $metric reduced by trial_metric ($reduction, $k, $direction; NULL when it has none).
-- param metric: str
-- param reduction: str
-- param k: int
-- param direction: str
-- param experiment: str   -- NULL: every experiment
SELECT t.trial_uid, t.status, coalesce(t.results_complete, false) AS results_complete,
    tm.value
FROM trials t
LEFT JOIN trial_metric($metric, reduction := $reduction, k := $k, direction := $direction,
                       experiment := $experiment) tm
    ON tm.experiment_id = t.experiment_id AND tm.trial_uid = t.trial_uid
WHERE t.experiment_id = $experiment
ORDER BY t.trial_uid
