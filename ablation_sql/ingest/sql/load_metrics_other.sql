-- name: load_metrics_other
-- results.json values that are not numbers, staged as Parquet files.
-- param files: str[]
INSERT INTO metrics_other (experiment_id, trial_uid, step, name, value)
SELECT experiment_id, trial_uid, step, name, value
FROM read_parquet($files);
