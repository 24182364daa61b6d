DELETE FROM ingest_errors
WHERE experiment_id = $experiment_id AND trial_uid IS NULL AND list_contains($paths, path);
