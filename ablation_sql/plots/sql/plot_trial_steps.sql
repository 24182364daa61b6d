-- name: plot_trial_steps
-- Every step of every trial for the plots (ABLATOR's every-epoch rows): the trial's search-space
-- attributes (trial_attributes), its status and the value of $metric at the step (NULL for
-- NaN). $experiment NULL: every experiment; $statuses NULL: every status, else only these.
-- param metric: str
-- param experiment: str   -- NULL: every experiment
-- param statuses: str[]   -- NULL: every status
SELECT a.*, m.value AS "__plot_value__", m.step AS "__plot_step__",
    t.status AS "__plot_status__"
FROM metrics m
JOIN trial_attributes a ON a.experiment_id = m.experiment_id AND a.trial_uid = m.trial_uid
JOIN trials t ON t.experiment_id = m.experiment_id AND t.trial_uid = m.trial_uid
WHERE m.name = $metric AND ($experiment IS NULL OR m.experiment_id = $experiment)
  AND ($statuses IS NULL OR list_contains($statuses, t.status))
ORDER BY a.experiment_id, a.trial_uid, m.step
