SELECT trial_uid, fingerprint, status FROM trials WHERE experiment_id = $experiment_id;
