-- name: plot_experiments
-- The experiments a database holds, for the plot command: each one's id, its optimised metrics
-- with their directions, and every metric ingested (any of them can be drawn).
WITH ingested AS (
    SELECT experiment_id, list(DISTINCT name ORDER BY name) AS names
    FROM metrics
    GROUP BY experiment_id
)
SELECT e.experiment_id,
       map(list(o.metric ORDER BY o.metric) FILTER (WHERE o.metric IS NOT NULL),
           list(o.direction ORDER BY o.metric) FILTER (WHERE o.metric IS NOT NULL))
           AS directions,
       any_value(i.names) AS ingested
FROM experiments e
LEFT JOIN optim_metrics o ON o.experiment_id = e.experiment_id
LEFT JOIN ingested i ON i.experiment_id = e.experiment_id
GROUP BY e.experiment_id
ORDER BY e.experiment_id
