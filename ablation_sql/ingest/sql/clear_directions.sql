-- name: clear_directions
-- Remove the directions of the metrics the user gives a direction for.
-- param experiment_id: str
-- param metrics: list[str]
DELETE FROM optim_metrics
WHERE experiment_id = $experiment_id AND list_contains($metrics, metric);
