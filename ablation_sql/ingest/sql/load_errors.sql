-- name: load_errors
-- Problems parsed by the workers, from the view staged (ingest/staging.py).
-- param now: timestamp
INSERT INTO ingest_errors (experiment_id, trial_uid, path, error, seen_at)
SELECT experiment_id, trial_uid, path, error, $now
FROM staged;
