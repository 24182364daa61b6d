-- name: plot_repeated
-- Whether some configuration of the experiment (NULL: of any) was run by more than one trial
-- (the default seed attributes), before the repeats analysis is asked for its forest plot.
-- param experiment: str   -- NULL: every experiment
SELECT count(*) > count(DISTINCT configuration) AS repeated
FROM trial_configurations
WHERE $experiment IS NULL OR experiment_id = $experiment
