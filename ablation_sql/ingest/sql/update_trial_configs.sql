-- name: update_trial_configs
-- The config of the trials read again (see update_trials), only where it differs.
UPDATE trials SET config = s.config
FROM staged s
WHERE trials.experiment_id = s.experiment_id AND trials.trial_uid = s.trial_uid
    AND trials.config IS DISTINCT FROM s.config;
