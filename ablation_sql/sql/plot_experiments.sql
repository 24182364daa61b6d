-- The experiments a database holds, for the plot command: each one's id and optimised metrics.
SELECT e.experiment_id,
       list(o.metric ORDER BY o.metric) FILTER (WHERE o.metric IS NOT NULL) AS metrics
FROM experiments e
LEFT JOIN optim_metrics o ON o.experiment_id = e.experiment_id
GROUP BY e.experiment_id
ORDER BY e.experiment_id
