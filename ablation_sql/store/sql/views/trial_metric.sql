-- name: trial_metric
-- One value per trial for a metric, reduced as asked (see queries/README.md):
--   reduction 'best'      best value by direction (best_key rules), step = earliest best step
--             'last'      last value (NULL and NaN skipped), step = its step
--             'mean_last' mean of the last k values (NULL and NaN skipped), step = the last
--             'at_step'   the value at step at_step
--             'at_best'   the value at the step where by_metric was best (by by_direction)
-- direction / by_direction default to the experiment's optim_metrics. One row for every trial
-- of every experiment where the metric appears (in metrics or optim_metrics), or only of
-- experiment when it is given; value NULL when the trial has none.
-- Columns: experiment_id, trial_uid, metric, direction, value, step.
-- best and last of a metric in the experiment's optim_metrics (with its own direction) come from
-- trial_best_cache; everything else is computed from the metrics table.
CREATE OR REPLACE MACRO trial_metric(metric, reduction := 'best', k := 5, at_step := NULL,
                                     by_metric := NULL, direction := NULL,
                                     by_direction := NULL, experiment := NULL) AS TABLE
WITH args AS (
    SELECT CASE
        WHEN metric IS NULL THEN error('trial_metric: metric must not be NULL')
        WHEN NOT EXISTS (SELECT 1 FROM metrics m WHERE m.name = metric)
             AND NOT EXISTS (SELECT 1 FROM optim_metrics o WHERE o.metric = metric)
            THEN error(printf('no metric %s in the database', metric::VARCHAR))
        WHEN reduction IS NULL OR lower(reduction::VARCHAR) NOT IN
            ('best', 'last', 'mean_last', 'at_step', 'at_best')
            THEN error(printf('unknown reduction %s: use best, last, mean_last, at_step or '
                              'at_best', coalesce(reduction::VARCHAR, 'NULL')))
        WHEN lower(reduction::VARCHAR) = 'mean_last' AND (k IS NULL OR k < 1)
            THEN error('reduction mean_last needs k >= 1')
        WHEN lower(reduction::VARCHAR) = 'at_step' AND (at_step IS NULL OR at_step < 0)
            THEN error('reduction at_step needs at_step >= 0')
        WHEN lower(reduction::VARCHAR) = 'at_best' AND by_metric IS NULL
            THEN error('reduction at_best needs by_metric')
        ELSE lower(reduction::VARCHAR) END AS how,
        checked_direction(direction) AS direction_given,
        checked_direction(by_direction) AS by_direction_given
),
exps AS (
    SELECT e.experiment_id, a.how,
        coalesce(a.direction_given, e.optim_dir) AS dir,
        coalesce(a.by_direction_given,
                 (SELECT any_value(o.direction) FROM optim_metrics o
                  WHERE o.experiment_id = e.experiment_id AND o.metric = by_metric)) AS by_dir,
        a.how IN ('best', 'last') AND e.optim_dir IS NOT NULL
            AND (a.direction_given IS NULL OR a.direction_given = e.optim_dir) AS cached
    FROM (
        SELECT x.experiment_id,
            (SELECT any_value(o.direction) FROM optim_metrics o
             WHERE o.experiment_id = x.experiment_id AND o.metric = metric) AS optim_dir
        -- with experiment given, its first row of the metric is enough (the scan stops there)
        FROM (SELECT DISTINCT m.experiment_id FROM metrics m
              WHERE m.name = metric AND experiment IS NULL
              UNION SELECT m.experiment_id
              FROM (SELECT m.experiment_id FROM metrics m
                    WHERE m.name = metric AND m.experiment_id = experiment LIMIT 1) m
              UNION SELECT o.experiment_id FROM optim_metrics o WHERE o.metric = metric) x
        WHERE experiment IS NULL OR x.experiment_id = experiment
    ) e, args a
),
live AS (
    SELECT experiment_id, how, dir, by_dir FROM exps WHERE NOT cached
),
vals AS NOT MATERIALIZED (
    SELECT m.experiment_id, m.trial_uid, m.step, m.value
    FROM metrics m
    WHERE m.name = metric AND m.value IS NOT NULL AND NOT isnan(m.value)
),
best AS NOT MATERIALIZED (
    SELECT v.experiment_id, v.trial_uid,
        min(best_key(v.value, v.step, needed_direction(x.dir, metric, x.experiment_id))) AS bk
    FROM vals v JOIN live x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'best'
    GROUP BY v.experiment_id, v.trial_uid
),
by_best AS NOT MATERIALIZED (
    SELECT b.experiment_id, b.trial_uid,
        min(best_key(b.value, b.step, needed_direction(x.by_dir, by_metric, x.experiment_id)))
            AS bk
    FROM metrics b JOIN live x ON x.experiment_id = b.experiment_id
    WHERE x.how = 'at_best' AND b.name = by_metric
    GROUP BY b.experiment_id, b.trial_uid
),
reduced AS NOT MATERIALIZED (
    SELECT c.experiment_id, c.trial_uid,
        CASE WHEN x.how = 'best' THEN c.best_value ELSE c.last_value END AS value,
        CASE WHEN x.how = 'best' THEN c.best_step ELSE c.last_step END AS step
    FROM trial_best_cache c JOIN exps x ON x.experiment_id = c.experiment_id
    WHERE x.cached AND c.metric = metric
    UNION ALL
    SELECT b.experiment_id, b.trial_uid, best_key_value(b.bk, x.dir), b.bk.step
    FROM best b JOIN live x ON x.experiment_id = b.experiment_id
    UNION ALL
    SELECT v.experiment_id, v.trial_uid, arg_max(v.value, v.step), max(v.step)
    FROM vals v JOIN live x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'last'
    GROUP BY v.experiment_id, v.trial_uid
    UNION ALL
    -- the last k values by a top-k aggregate (by step, latest first), averaged in that order
    SELECT v.experiment_id, v.trial_uid, list_avg(max_by(v.value, v.step, greatest(k, 1))),
        max(v.step)
    FROM vals v JOIN live x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'mean_last'
    GROUP BY v.experiment_id, v.trial_uid
    UNION ALL
    SELECT v.experiment_id, v.trial_uid, v.value, v.step
    FROM vals v JOIN live x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'at_step' AND v.step = at_step
    UNION ALL
    SELECT bb.experiment_id, bb.trial_uid, v.value, bb.bk.step
    FROM by_best bb
    LEFT JOIN vals v ON v.experiment_id = bb.experiment_id AND v.trial_uid = bb.trial_uid
        AND v.step = bb.bk.step
)
SELECT t.experiment_id, t.trial_uid, metric::VARCHAR AS metric, x.dir AS direction,
    r.value, r.step
FROM trials t
JOIN exps x ON x.experiment_id = t.experiment_id
LEFT JOIN reduced r ON r.experiment_id = t.experiment_id AND r.trial_uid = t.trial_uid;
