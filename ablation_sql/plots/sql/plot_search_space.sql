-- name: plot_search_space
-- The search space for the plots: each top-level attribute's kind, log flag and declared
-- categories (JSON), in declaration order. $experiment NULL: every experiment.
-- param experiment: str   -- NULL: every experiment
SELECT s.name, s.kind, coalesce(s.log, false) AS log, s.categories
FROM search_space s
WHERE s.parent IS NULL AND ($experiment IS NULL OR s.experiment_id = $experiment)
ORDER BY s.rowid
