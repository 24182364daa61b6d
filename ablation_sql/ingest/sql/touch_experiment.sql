-- name: touch_experiment
-- Mark the experiment ingested now, with the fingerprint of its state databases.
-- param now: timestamp
-- param state_fingerprint: str
-- param experiment_id: str
UPDATE experiments SET ingested_at = $now, state_fingerprint = $state_fingerprint
WHERE experiment_id = $experiment_id;
