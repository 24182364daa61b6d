-- name: load_errors
-- Problems parsed by the workers, staged as Parquet files.
-- param now: timestamp
-- param files: str[]
INSERT INTO ingest_errors (experiment_id, trial_uid, path, error, seen_at)
SELECT experiment_id, trial_uid, path, error, $now
FROM read_parquet($files);
