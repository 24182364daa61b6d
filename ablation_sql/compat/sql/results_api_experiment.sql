-- Results API: the experiment ingested from a folder (its resolved path).
SELECT e.experiment_id
FROM experiments e
WHERE e.path = $path;
