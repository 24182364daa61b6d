-- name: load_trials
-- Trials parsed by the workers, from the view staged (ingest/staging.py); status is set
-- afterwards.
-- param now: timestamp
INSERT INTO trials (experiment_id, trial_uid, path, inferred_status, n_steps, results_complete,
                    config, config_uid, metadata, fingerprint, failure_reason,
                    ingested_at)
SELECT experiment_id, trial_uid, path, inferred_status, n_steps, results_complete,
       config, config_uid, metadata, fingerprint, failure_reason, $now
FROM staged;
