-- name: known_trials
-- The experiment's trials already in the database, with their fingerprints and status.
-- param experiment_id: str
SELECT trial_uid, fingerprint, status FROM trials WHERE experiment_id = $experiment_id;
