-- name: effects_metrics
-- effects: the metrics of $experiment (in metrics or optim_metrics) with their direction from
-- optim_metrics (NULL when the metric is not optimised), by name.
-- param experiment: str   -- NULL: every experiment
SELECT n.name, any_value(o.direction) AS direction
FROM (SELECT DISTINCT name FROM metrics WHERE experiment_id = $experiment
      UNION SELECT metric FROM optim_metrics WHERE experiment_id = $experiment) n
LEFT JOIN optim_metrics o ON o.experiment_id = $experiment AND o.metric = n.name
GROUP BY n.name
ORDER BY n.name
