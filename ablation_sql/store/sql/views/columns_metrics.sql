-- name: columns_metrics
-- Numeric metric names (the metrics table) for the results view, in first-seen order.
SELECT m.name
FROM metrics m
GROUP BY m.name
ORDER BY min(m.rowid), m.name;
