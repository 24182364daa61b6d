INSERT INTO ingest_errors (experiment_id, trial_uid, path, error, seen_at)
SELECT $experiment_id, trial_uid, path, error, $now
FROM batch_errors;
