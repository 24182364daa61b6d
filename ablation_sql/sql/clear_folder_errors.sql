-- Unreadable folders are looked at again by every ingest: their rows are replaced each time.
DELETE FROM ingest_errors
WHERE experiment_id = $experiment_id AND starts_with(error, $reason);
