-- The optimised metrics and their directions, for the plots' defaults.
SELECT DISTINCT metric, direction
FROM optim_metrics
WHERE $experiment IS NULL OR experiment_id = $experiment
ORDER BY metric
