-- name: update_trials
-- Trials read again in the ingest's process, from the table staged (ingest/few_trials.py): each
-- keeps its row, updated in place; its config and metadata change only where they differ
-- (update_trial_configs, update_trial_metadata), so that the checkpoint rewrites neither wide
-- column (a row inserted anew would make it rewrite both whole). load_trials then inserts the
-- others (unstage_kept_trials). Its status stays the state db's where the state db named it
-- (state_code and runtime_errors kept), else becomes what its files now say: update_status
-- restates it when the state dbs changed, or when it was missing.
-- param now: timestamp
UPDATE trials SET
    status = CASE WHEN trials.status_source = 'state_db' THEN trials.status
        ELSE s.inferred_status END,
    status_source = CASE WHEN trials.status_source = 'state_db' THEN 'state_db'
        ELSE 'inferred' END,
    path = s.path, inferred_status = s.inferred_status, n_steps = s.n_steps,
    results_complete = s.results_complete, config_uid = s.config_uid,
    fingerprint = s.fingerprint, failure_reason = s.failure_reason, ingested_at = $now
FROM staged s
WHERE trials.experiment_id = s.experiment_id AND trials.trial_uid = s.trial_uid;
