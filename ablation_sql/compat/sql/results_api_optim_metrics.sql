-- name: results_api_optim_metrics
-- Results API: the experiment's optim_metrics, in master_config.yaml's order.
-- param experiment_id: str
SELECT o.metric, o.direction
FROM optim_metrics o
WHERE o.experiment_id = $experiment_id
ORDER BY o.rowid;
