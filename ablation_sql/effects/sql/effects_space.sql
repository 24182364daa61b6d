-- name: effects_space
-- effects: the numerical, categorical and subspace attributes of $experiment's search space in
-- declaration order (a subspace before the attributes nested in it), with the log flag, the
-- declared categories or subspaces (JSON text of a list) and the parent subspace (NULL at the
-- top level).
-- param experiment: str   -- NULL: every experiment
SELECT s.name, s.kind, coalesce(s.log, false) AS log, s.categories::VARCHAR AS categories,
    s.parent
FROM search_space s
WHERE s.experiment_id = $experiment AND s.kind IN ('numerical', 'categorical', 'subspace')
ORDER BY s.rowid
