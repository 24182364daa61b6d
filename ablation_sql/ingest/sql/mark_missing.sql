-- name: mark_missing
-- Trials whose folder is gone keep their rows; only their status says so.
-- param now: timestamp
-- param experiment_id: str
UPDATE trials SET status = 'missing', status_source = 'inferred', ingested_at = $now
FROM replaced_trials r
WHERE trials.experiment_id = $experiment_id AND trials.trial_uid = r.trial_uid;
