-- name: clear_state_errors
-- Forget the experiment's earlier problems with the state databases read again.
-- param experiment_id: str
-- param paths: str[]
DELETE FROM ingest_errors
WHERE experiment_id = $experiment_id AND trial_uid IS NULL AND list_contains($paths, path);
