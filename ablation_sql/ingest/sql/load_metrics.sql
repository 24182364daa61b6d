-- name: load_metrics
-- Numeric metric values parsed by the workers, from the view staged (ingest/staging.py).
INSERT INTO metrics (experiment_id, trial_uid, step, name, value)
SELECT experiment_id, trial_uid, step, name, value
FROM staged;
