INSERT INTO optim_metrics (experiment_id, metric, direction)
SELECT $experiment_id, metric, direction FROM batch_optim_metrics;
