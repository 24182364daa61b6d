-- name: columns_other
-- results.json keys whose values were never numbers: JSON columns of the results view.
SELECT o.name
FROM metrics_other o
WHERE o.name NOT IN (SELECT DISTINCT m.name FROM metrics m)
GROUP BY o.name
ORDER BY min(o.rowid), o.name;
