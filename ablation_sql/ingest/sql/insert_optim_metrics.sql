-- name: insert_optim_metrics
-- The experiment's optimised metrics staged in batch_optim_metrics.
-- param experiment_id: str
INSERT INTO optim_metrics (experiment_id, metric, direction)
SELECT $experiment_id, metric, direction FROM batch_optim_metrics;
