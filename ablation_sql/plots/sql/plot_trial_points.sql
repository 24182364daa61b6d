-- name: plot_trial_points
-- One row per trial for the plots: the trial's search-space attributes (trial_attributes), its
-- status and one value of $metric reduced as trial_metric reduces it ($reduction, $direction;
-- NULL when the trial has none), with its step. $experiment NULL: every experiment; $statuses
-- NULL: every status, else only trials with one of these statuses.
-- param metric: str
-- param reduction: str
-- param direction: str
-- param experiment: str   -- NULL: every experiment
-- param statuses: str[]   -- NULL: every status
SELECT a.*, tm.value AS "__plot_value__", tm.step AS "__plot_step__",
    t.status AS "__plot_status__"
FROM trial_metric($metric, reduction := $reduction, direction := $direction,
                  experiment := $experiment) tm
JOIN trial_attributes a ON a.experiment_id = tm.experiment_id AND a.trial_uid = tm.trial_uid
JOIN trials t ON t.experiment_id = tm.experiment_id AND t.trial_uid = tm.trial_uid
WHERE $statuses IS NULL OR list_contains($statuses, t.status)
ORDER BY a.experiment_id, a.trial_uid
