-- name: delete_changed_rows
-- Remove the rows in /*table*/ (params, metrics, metrics_other or ingest_errors) of the trials
-- trial_uids, read again in the ingest's process, whose rows changed (few_trials.py fills in
-- the table); load_<table> then inserts what they hold now.
-- param experiment_id: str
-- param trial_uids: str[]
DELETE FROM /*table*/
WHERE experiment_id = $experiment_id AND list_contains($trial_uids, trial_uid);
