-- name: columns_params
-- Config keys for the generated views: every params name in first-seen order, the kinds of its
-- non-null values and the largest integer magnitude (BIGINT columns only up to 2^53).
SELECT p.name,
    list_sort(list(DISTINCT p.value_type) FILTER (WHERE p.value_type <> 'null')) AS kinds,
    max(abs(p.value_double)) FILTER (WHERE p.value_type = 'int') AS max_int
FROM params p
GROUP BY p.name
ORDER BY min(p.rowid), p.name;
