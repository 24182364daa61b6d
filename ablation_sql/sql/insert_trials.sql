-- Trials parsed in one batch (registered as batch_trials); status is set afterwards.
INSERT INTO trials (experiment_id, trial_uid, path, inferred_status, n_steps, results_complete,
                    config, config_uid, metadata, fingerprint, ingested_at)
SELECT $experiment_id, trial_uid, path, inferred_status, n_steps, results_complete,
       config, config_uid, metadata, fingerprint, $now
FROM batch_trials;
