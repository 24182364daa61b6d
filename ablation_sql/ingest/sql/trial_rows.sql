-- name: trial_rows
-- The rows in /*table*/ (params, metrics or metrics_other) of the trials trial_uids, read again
-- in the ingest's process, with their /*columns*/ (few_trials.py fills in the markers and
-- compares them with the rows read now).
-- param experiment_id: str
-- param trial_uids: str[]
SELECT /*columns*/
FROM /*table*/
WHERE experiment_id = $experiment_id AND list_contains($trial_uids, trial_uid);
