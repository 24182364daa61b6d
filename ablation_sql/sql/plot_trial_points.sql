-- One row per trial for the plots: the trial's search-space attributes (trial_attributes) and
-- one value of $metric reduced as trial_metric reduces it ($reduction, $direction; NULL when the
-- trial has none), with its step. $experiment NULL: every experiment.
SELECT a.*, tm.value AS "__plot_value__", tm.step AS "__plot_step__"
FROM trial_metric($metric, reduction := $reduction, direction := $direction,
                  experiment := $experiment) tm
JOIN trial_attributes a ON a.experiment_id = tm.experiment_id AND a.trial_uid = tm.trial_uid
ORDER BY a.experiment_id, a.trial_uid
