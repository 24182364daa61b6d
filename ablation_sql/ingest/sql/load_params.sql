-- name: load_params
-- Flattened config values parsed by the workers, staged as Parquet files.
-- param files: str[]
INSERT INTO params (experiment_id, trial_uid, name, value, value_double, value_text, value_type)
SELECT experiment_id, trial_uid, name, value, value_double, value_text, value_type
FROM read_parquet($files);
