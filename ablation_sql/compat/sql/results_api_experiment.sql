-- name: results_api_experiment
-- Results API: the experiment ingested from a folder (its resolved path).
-- param path: str
SELECT e.experiment_id
FROM experiments e
WHERE e.path = $path;
