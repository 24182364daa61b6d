-- name: load_metrics_other
-- results.json values that are not numbers, from the view staged (ingest/staging.py).
INSERT INTO metrics_other (experiment_id, trial_uid, step, name, value)
SELECT experiment_id, trial_uid, step, name, value
FROM staged;
