-- name: insert_search_space
-- The experiment's search space staged in batch_search_space.
-- param experiment_id: str
INSERT INTO search_space (experiment_id, name, kind, value_type, low, high, log, categories,
                          n_bins, parent, spec)
SELECT $experiment_id, name, kind, value_type, low, high, log, categories, n_bins, parent, spec
FROM batch_search_space;
