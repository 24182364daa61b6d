-- name: results_api_search_space
-- Results API: the declared search space (top-level attributes, as written), in order.
-- param experiment_id: str
SELECT s.name, s.spec
FROM search_space s
WHERE s.experiment_id = $experiment_id AND s.parent IS NULL
ORDER BY s.rowid;
