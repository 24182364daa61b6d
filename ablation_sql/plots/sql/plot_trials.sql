-- name: plot_trials
-- One row per trial for the plots: the trial's search-space attributes (trial_attributes) and
-- its status, in the order of (experiment_id, trial_uid); read once for every metric drawn
-- (plot_trial_values). $experiment NULL: every experiment; $statuses NULL: every status, else
-- only trials with one of these.
-- param experiment: str   -- NULL: every experiment
-- param statuses: str[]   -- NULL: every status
SELECT a.*, t.status AS "__plot_status__"
FROM trial_attributes a
JOIN trials t ON t.experiment_id = a.experiment_id AND t.trial_uid = a.trial_uid
WHERE ($experiment IS NULL OR a.experiment_id = $experiment)
  AND ($statuses IS NULL OR list_contains($statuses, t.status))
ORDER BY a.experiment_id, a.trial_uid
