SELECT experiment_id, path, master_fingerprint, state_fingerprint FROM experiments;
