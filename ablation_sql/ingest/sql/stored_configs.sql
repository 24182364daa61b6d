-- name: stored_configs
-- The trials' stored path and config (n = 0), then every problem recorded for them (its path and
-- reason, n > 0, in the order recorded): trials read again whose config.yaml is unchanged keep
-- their config and its problems (ingest/kept_configs.py).
-- param experiment_id: str
-- param trial_uids: str[]
SELECT t.trial_uid, t.path, CAST(t.config AS VARCHAR) AS text, 0 AS n
FROM trials t
WHERE t.experiment_id = $experiment_id AND list_contains($trial_uids, t.trial_uid)
UNION ALL
SELECT e.trial_uid, e.path, e.error, e.rowid + 1
FROM ingest_errors e
WHERE e.experiment_id = $experiment_id AND list_contains($trial_uids, e.trial_uid)
ORDER BY n;
