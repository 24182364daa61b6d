-- name: stored_trials
-- What is stored of the trials read again in the ingest's process (ingest/read_again.py): each
-- trial's row (n = 0: the columns a read sets), then every problem recorded for them (its path
-- and reason, n > 0, in the order recorded), so that only what differs is written, and a trial
-- whose config.yaml is unchanged keeps its config and its problems.
-- param experiment_id: str
-- param trial_uids: str[]
SELECT t.trial_uid, 0 AS n, t.path, t.inferred_status, t.n_steps, t.results_complete,
       CAST(t.config AS VARCHAR), t.config_uid, CAST(t.metadata AS VARCHAR), t.fingerprint,
       t.failure_reason, t.status, t.status_source, NULL AS error
FROM trials t
WHERE t.experiment_id = $experiment_id AND list_contains($trial_uids, t.trial_uid)
UNION ALL
SELECT e.trial_uid, e.rowid + 1, e.path, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, e.error
FROM ingest_errors e
WHERE e.experiment_id = $experiment_id AND list_contains($trial_uids, e.trial_uid)
ORDER BY n;
