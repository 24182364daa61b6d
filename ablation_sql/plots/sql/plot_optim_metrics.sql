-- name: plot_optim_metrics
-- The optimised metrics and their directions, for the plots' defaults.
-- param experiment: str   -- NULL: every experiment
SELECT DISTINCT metric, direction
FROM optim_metrics
WHERE $experiment IS NULL OR experiment_id = $experiment
ORDER BY metric
