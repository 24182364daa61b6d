-- name: unstage_kept_trials
-- Leave out of the table staged the trials whose rows update_trials kept, so that load_trials
-- inserts only the trials that have no row yet.
DELETE FROM staged s USING trials t
WHERE t.experiment_id = s.experiment_id AND t.trial_uid = s.trial_uid;
