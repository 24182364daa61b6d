-- name: stored_configs
-- The trials' stored config and path, with every problem recorded for them (path and reason,
-- in the order recorded): trials read again whose config.yaml is unchanged keep these
-- (ingest/kept_configs.py).
-- param experiment_id: str
-- param trial_uids: str[]
SELECT t.trial_uid, any_value(t.path), any_value(t.config),
    list({'path': e.path, 'error': e.error} ORDER BY e.rowid) FILTER (WHERE e.path IS NOT NULL)
FROM trials t
LEFT JOIN ingest_errors e ON e.experiment_id = t.experiment_id AND e.trial_uid = t.trial_uid
WHERE t.experiment_id = $experiment_id AND list_contains($trial_uids, t.trial_uid)
GROUP BY t.trial_uid;
