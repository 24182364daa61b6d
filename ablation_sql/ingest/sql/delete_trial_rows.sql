-- name: delete_trial_rows
-- Remove the trials rows of the trials listed in replaced_trials(trial_uid) before they are
-- re-read by the workers (trials read in the ingest's process keep theirs: update_trials).
-- param experiment_id: str
DELETE FROM trials USING replaced_trials r
WHERE trials.experiment_id = $experiment_id AND trials.trial_uid = r.trial_uid;
