-- name: trial_best
-- trial_best: for every trial and every metric in its experiment's optim_metrics, the best value
-- by direction and the last value, each with its step. NULL and NaN never win; ±inf never wins a
-- max or a min unless it is the trial's only kind of value; ties go to the earliest step; a trial
-- with no valid value has NULL best and last.
-- The values are materialised in trial_best_cache by views.refresh_views (after every ingest,
-- inside its transaction) so that one metric answers in milliseconds instead of a scan of every
-- metric row; after changing metrics, trials or optim_metrics by hand, refresh the views.
-- script
CREATE OR REPLACE TABLE trial_best_cache AS
WITH reduced AS (
    SELECT m.experiment_id, m.trial_uid, m.name AS metric,
        min(best_key(m.value, m.step, o.direction)) AS bk,
        arg_max(m.value, m.step) AS last_value,
        max(m.step) AS last_step
    FROM metrics m
    JOIN optim_metrics o ON o.experiment_id = m.experiment_id AND o.metric = m.name
    WHERE m.value IS NOT NULL AND NOT isnan(m.value)
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
ORDER BY o.metric, t.experiment_id, t.trial_uid;

CREATE OR REPLACE VIEW trial_best AS
SELECT experiment_id, trial_uid, metric, direction, best_value, best_step, last_value, last_step
FROM trial_best_cache;
