-- name: load_params
-- Flattened config values parsed by the workers, from the view staged (ingest/staging.py).
INSERT INTO params (experiment_id, trial_uid, name, value, value_double, value_text, value_type)
SELECT experiment_id, trial_uid, name, value, value_double, value_text, value_type
FROM staged;
