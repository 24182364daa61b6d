-- name: clear_directions
-- Remove the direction of a metric the user gives a direction for.
-- param experiment_id: str
-- param metric: str
DELETE FROM optim_metrics
WHERE experiment_id = $experiment_id AND metric = $metric;
