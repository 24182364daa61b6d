-- name: page_problems
-- Trials that did not complete or whose files could not be read in full, with every reason
-- recorded at ingest (failure_reason: the exception line ending the trial's train.log);
-- experiment-level problems (trial_uid NULL) first.
-- param experiment: str   -- NULL: every experiment
WITH errors AS (
    SELECT experiment_id, trial_uid, string_agg(error, '; ' ORDER BY path) AS reasons
    FROM ingest_errors
    WHERE experiment_id = $experiment
    GROUP BY ALL
)
SELECT e.trial_uid, NULL AS status, NULL AS status_source, NULL AS steps,
    NULL AS failure_reason, e.reasons
FROM errors e
WHERE e.trial_uid IS NULL
UNION ALL
SELECT t.trial_uid, t.status, t.status_source, t.n_steps AS steps, t.failure_reason,
    e.reasons
FROM trials t
LEFT JOIN errors e ON e.trial_uid = t.trial_uid
WHERE t.experiment_id = $experiment AND (t.status <> 'complete' OR e.reasons IS NOT NULL)
ORDER BY trial_uid NULLS FIRST
