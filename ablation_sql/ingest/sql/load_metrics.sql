-- name: load_metrics
-- Numeric metric values parsed by the workers, staged as Parquet files.
-- param files: str[]
INSERT INTO metrics (experiment_id, trial_uid, step, name, value)
SELECT experiment_id, trial_uid, step, name, value
FROM read_parquet($files);
