-- name: clear_folder_errors
-- Unreadable folders and special files are looked at again by every ingest: their rows
-- (reasons starting with $reason) are replaced each time.
-- param experiment_id: str
-- param reason: str
DELETE FROM ingest_errors
WHERE experiment_id = $experiment_id AND starts_with(error, $reason);
