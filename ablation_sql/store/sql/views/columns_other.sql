-- name: columns_other
-- Names in metrics_other, in first-seen order: JSON columns of the results view for the keys
-- whose values were never numbers (views.py leaves out the names the metrics table holds, which
-- it has already; asked here, that would scan every metric row again).
SELECT o.name
FROM metrics_other o
GROUP BY o.name
ORDER BY min(o.rowid), o.name;
