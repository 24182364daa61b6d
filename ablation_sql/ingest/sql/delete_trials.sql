-- name: delete_trials
-- Remove the params, metrics and problems of the trials listed in replaced_trials(trial_uid)
-- before they are re-read (their trials rows: delete_trial_rows, or update_trials); with
-- keep_rows, their problems only (read in the ingest's process, their other rows are replaced
-- where they changed: delete_changed_rows, insert_changed_rows).
-- param experiment_id: str
-- param keep_rows: bool = false
-- script
DELETE FROM params USING replaced_trials r
WHERE NOT $keep_rows AND params.experiment_id = $experiment_id AND params.trial_uid = r.trial_uid;
DELETE FROM metrics USING replaced_trials r
WHERE NOT $keep_rows AND metrics.experiment_id = $experiment_id
    AND metrics.trial_uid = r.trial_uid;
DELETE FROM metrics_other USING replaced_trials r
WHERE NOT $keep_rows AND metrics_other.experiment_id = $experiment_id
    AND metrics_other.trial_uid = r.trial_uid;
DELETE FROM ingest_errors USING replaced_trials r
WHERE ingest_errors.experiment_id = $experiment_id AND ingest_errors.trial_uid = r.trial_uid;
