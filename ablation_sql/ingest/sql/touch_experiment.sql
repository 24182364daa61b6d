UPDATE experiments SET ingested_at = $now, state_fingerprint = $state_fingerprint
WHERE experiment_id = $experiment_id;
