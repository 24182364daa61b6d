INSERT INTO metrics (experiment_id, trial_uid, step, name, value)
SELECT experiment_id, trial_uid, step, name, value
FROM read_parquet($files);
