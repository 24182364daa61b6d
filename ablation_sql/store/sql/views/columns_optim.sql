-- name: columns_optim
-- Optimised metrics for trial_summary's best_<metric> columns, in declaration order.
SELECT o.metric
FROM optim_metrics o
GROUP BY o.metric
ORDER BY min(o.rowid), o.metric;
