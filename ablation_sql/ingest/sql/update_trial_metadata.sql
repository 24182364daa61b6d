-- name: update_trial_metadata
-- The metadata of the trials read again (see update_trials), only where it differs.
UPDATE trials SET metadata = s.metadata
FROM staged s
WHERE trials.experiment_id = s.experiment_id AND trials.trial_uid = s.trial_uid
    AND trials.metadata IS DISTINCT FROM s.metadata;
