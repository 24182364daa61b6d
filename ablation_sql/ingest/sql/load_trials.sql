-- name: load_trials
-- Trials parsed by the workers, staged as Parquet files; status is set afterwards.
-- param now: timestamp
-- param files: str[]
INSERT INTO trials (experiment_id, trial_uid, path, inferred_status, n_steps, results_complete,
                    config, config_uid, metadata, fingerprint, failure_reason,
                    ingested_at)
SELECT experiment_id, trial_uid, path, inferred_status, n_steps, results_complete,
       config, config_uid, metadata, fingerprint, failure_reason, $now
FROM read_parquet($files);
