-- effects: the top-level numerical and categorical attributes of $experiment's search space in
-- declaration order, with the log flag and the declared categories (JSON text of a list).
SELECT s.name, s.kind, coalesce(s.log, false) AS log, s.categories::VARCHAR AS categories
FROM search_space s
WHERE s.experiment_id = $experiment AND s.parent IS NULL
  AND s.kind IN ('numerical', 'categorical')
ORDER BY s.rowid
