-- name: delete_trials
-- Remove the params, metrics and problems of the trials listed in replaced_trials(trial_uid)
-- before the workers read them again (their trials rows: delete_trial_rows). Trials read in
-- the ingest's process keep their rows, changed where they differ (ingest/few_trials.py).
-- param experiment_id: str
-- script
DELETE FROM params USING replaced_trials r
WHERE params.experiment_id = $experiment_id AND params.trial_uid = r.trial_uid;
DELETE FROM metrics USING replaced_trials r
WHERE metrics.experiment_id = $experiment_id AND metrics.trial_uid = r.trial_uid;
DELETE FROM metrics_other USING replaced_trials r
WHERE metrics_other.experiment_id = $experiment_id AND metrics_other.trial_uid = r.trial_uid;
DELETE FROM ingest_errors USING replaced_trials r
WHERE ingest_errors.experiment_id = $experiment_id AND ingest_errors.trial_uid = r.trial_uid;
