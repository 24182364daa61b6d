-- name: columns_attributes
-- Search-space attribute names for trial_attributes, in declaration order.
SELECT s.name
FROM search_space s
GROUP BY s.name
ORDER BY min(s.rowid), s.name;
