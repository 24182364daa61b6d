-- name: plot_trial_values
-- One value per trial of $metric for the plots, reduced as trial_metric reduces it ($reduction,
-- $direction; NULL when the trial has none), with its step; joined by the plots to each
-- trial's attributes (plot_trials). $experiment NULL: every experiment.
-- param metric: str
-- param reduction: str
-- param direction: str
-- param experiment: str   -- NULL: every experiment
SELECT experiment_id, trial_uid, value AS "__plot_value__", step AS "__plot_step__"
FROM trial_metric($metric, reduction := $reduction, direction := $direction,
                  experiment := $experiment)
