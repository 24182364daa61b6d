-- name: trial_best_cache
-- trial_best_cache: for every trial and every metric in its experiment's optim_metrics, the best
-- value by direction and the last value, each with its step. NULL and NaN never win; ±inf never
-- wins a max or a min unless it is the trial's only kind of value; ties go to the earliest step;
-- a trial with no valid value has NULL best and last.
-- The table is materialised here by views.refresh_views (and after an ingest only for the
-- trials it changed, trial_best_update.sql, from the same macro trial_best_rows) so that one
-- metric answers in milliseconds instead of a scan of every metric row; after changing metrics,
-- trials or optim_metrics by hand, refresh the views.
-- script
CREATE OR REPLACE MACRO trial_best_rows(experiment := NULL, trial_uids := NULL) AS TABLE
WITH reduced AS (
    SELECT m.experiment_id, m.trial_uid, m.name AS metric,
        min(best_key(m.value, m.step, o.direction)) AS bk,
        arg_max(m.value, m.step) AS last_value,
        max(m.step) AS last_step
    FROM metrics m
    JOIN optim_metrics o ON o.experiment_id = m.experiment_id AND o.metric = m.name
    WHERE m.value IS NOT NULL AND NOT isnan(m.value)
        AND (experiment IS NULL OR m.experiment_id = experiment)
        AND (trial_uids IS NULL OR list_contains(trial_uids, m.trial_uid))
    GROUP BY m.experiment_id, m.trial_uid, m.name
)
SELECT t.experiment_id, t.trial_uid, o.metric, o.direction,
    best_key_value(r.bk, o.direction) AS best_value,
    r.bk.step AS best_step,
    r.last_value,
    r.last_step
FROM trials t
JOIN optim_metrics o ON o.experiment_id = t.experiment_id
LEFT JOIN reduced r
    ON r.experiment_id = t.experiment_id AND r.trial_uid = t.trial_uid AND r.metric = o.metric
WHERE (experiment IS NULL OR t.experiment_id = experiment)
    AND (trial_uids IS NULL OR list_contains(trial_uids, t.trial_uid));

CREATE OR REPLACE TABLE trial_best_cache AS
SELECT *
FROM trial_best_rows()
ORDER BY metric, experiment_id, trial_uid;
