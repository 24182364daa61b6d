-- name: insert_errors
-- The experiment's problems staged in batch_errors, recorded in ingest_errors.
-- param experiment_id: str
-- param now: timestamp
INSERT INTO ingest_errors (experiment_id, trial_uid, path, error, seen_at)
SELECT $experiment_id, trial_uid, path, error, $now
FROM batch_errors;
