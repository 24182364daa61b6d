-- name: experiment_ids
-- Every ingested experiment with its folder and the fingerprints that say what changed.
SELECT experiment_id, path, master_fingerprint, state_fingerprint FROM experiments;
