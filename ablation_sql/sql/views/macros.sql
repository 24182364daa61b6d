-- Static macros of the SQL layer (created by views.refresh_views; public, documented in
-- queries/README.md). Every one is CREATE OR REPLACE, so running this file again is harmless.

-- The sort key that picks a trial's best value: NULL and NaN are never a candidate (NULL key),
-- finite values come before ±inf (so an infinity only wins when it is the only value), then the
-- value by direction ('max' negates it), then the earliest step. Use with min().
CREATE OR REPLACE MACRO best_key(value, step, direction) AS
    CASE WHEN value IS NULL OR isnan(value) THEN NULL
         ELSE struct_pack(inf := isinf(value),
                          key := CASE WHEN direction = 'max' THEN -value ELSE value END,
                          step := step) END;

-- The value a min(best_key(...)) stands for.
CREATE OR REPLACE MACRO best_key_value(k, direction) AS
    CASE WHEN direction = 'max' THEN -k.key ELSE k.key END;

-- An ORDER BY key: ascending order = best first (for rank() over trials).
CREATE OR REPLACE MACRO order_key(value, direction) AS
    CASE WHEN direction = 'max' THEN -value ELSE value END;

-- A direction given by the user, checked: 'min' | 'max' (any case) or NULL.
CREATE OR REPLACE MACRO checked_direction(direction) AS
    CASE WHEN direction IS NULL THEN NULL
         WHEN lower(direction::VARCHAR) IN ('min', 'max') THEN lower(direction::VARCHAR)
         ELSE error(printf('direction must be min or max, not %s', direction::VARCHAR)) END;

-- A direction that must be known: the value itself, or an error naming metric and experiment.
CREATE OR REPLACE MACRO needed_direction(direction, metric, experiment_id) AS
    CASE WHEN direction IS NOT NULL THEN direction
         ELSE error(printf('metric %s has no direction in experiment %s (it is not in '
                           'optim_metrics): give direction min or max', metric::VARCHAR,
                           experiment_id::VARCHAR)) END;

-- Student's t quantile t(0.975, df): exact values (15 digits) for df 1..30, above that the
-- Cornish-Fisher expansion to 1/df^4 around z = 1.959963984540054 (relative error < 2e-8).
CREATE OR REPLACE MACRO t_quantile_975(df) AS
    CASE WHEN df IS NULL OR df < 1 THEN NULL
         WHEN df <= 30 THEN [12.7062047361747, 4.30265272974946, 3.18244630528371,
             2.77644510519779, 2.57058183563631, 2.44691185114498, 2.36462425159278,
             2.30600413520417, 2.2621571627982, 2.22813885198627, 2.20098516009164,
             2.17881282966723, 2.16036865646279, 2.1447866879178, 2.13144954555978,
             2.11990529922125, 2.10981557783332, 2.10092204024104, 2.09302405440831,
             2.08596344726586, 2.07961384472768, 2.07387306790403, 2.06865761041905,
             2.06389856162802, 2.0595385527533, 2.05552943864287, 2.05183051648028,
             2.04840714179525, 2.0452296421327, 2.04227245630124][floor(df)::BIGINT]
         ELSE 1.959963984540054
              + 2.372271230298562 / df
              + 2.8224986157396112 / pow(df, 2)
              + 2.555849679507722 / pow(df, 3)
              + 1.5895340533938225 / pow(df, 4) END;

-- Half the width of the 95 % confidence interval of a mean: t(0.975, n-1) * sd / sqrt(n).
CREATE OR REPLACE MACRO ci95_half_width(sd, n) AS
    t_quantile_975(n - 1) * sd / sqrt(n);

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
    SELECT e.experiment_id,
        coalesce(a.direction_given,
                 (SELECT any_value(o.direction) FROM optim_metrics o
                  WHERE o.experiment_id = e.experiment_id AND o.metric = metric)) AS dir,
        coalesce(a.by_direction_given,
                 (SELECT any_value(o.direction) FROM optim_metrics o
                  WHERE o.experiment_id = e.experiment_id AND o.metric = by_metric)) AS by_dir,
        a.how
    FROM (SELECT DISTINCT m.experiment_id FROM metrics m WHERE m.name = metric
          UNION SELECT o.experiment_id FROM optim_metrics o WHERE o.metric = metric) e,
         args a
    WHERE experiment IS NULL OR e.experiment_id = experiment
),
vals AS (
    SELECT m.experiment_id, m.trial_uid, m.step, m.value
    FROM metrics m
    WHERE m.name = metric AND m.value IS NOT NULL AND NOT isnan(m.value)
),
best AS (
    SELECT v.experiment_id, v.trial_uid,
        min(best_key(v.value, v.step, needed_direction(x.dir, metric, x.experiment_id))) AS bk
    FROM vals v JOIN exps x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'best'
    GROUP BY v.experiment_id, v.trial_uid
),
last_k AS (
    SELECT v.experiment_id, v.trial_uid, v.value, v.step
    FROM vals v JOIN exps x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'mean_last'
    QUALIFY row_number() OVER (PARTITION BY v.experiment_id, v.trial_uid
                               ORDER BY v.step DESC) <= k
),
by_best AS (
    SELECT b.experiment_id, b.trial_uid,
        min(best_key(b.value, b.step, needed_direction(x.by_dir, by_metric, x.experiment_id)))
            AS bk
    FROM metrics b JOIN exps x ON x.experiment_id = b.experiment_id
    WHERE x.how = 'at_best' AND b.name = by_metric
    GROUP BY b.experiment_id, b.trial_uid
),
reduced AS (
    SELECT b.experiment_id, b.trial_uid, best_key_value(b.bk, x.dir) AS value,
        b.bk.step AS step
    FROM best b JOIN exps x ON x.experiment_id = b.experiment_id
    UNION ALL
    SELECT v.experiment_id, v.trial_uid, arg_max(v.value, v.step), max(v.step)
    FROM vals v JOIN exps x ON x.experiment_id = v.experiment_id
    WHERE x.how = 'last'
    GROUP BY v.experiment_id, v.trial_uid
    UNION ALL
    SELECT l.experiment_id, l.trial_uid, avg(l.value), max(l.step)
    FROM last_k l
    GROUP BY l.experiment_id, l.trial_uid
    UNION ALL
    SELECT v.experiment_id, v.trial_uid, v.value, v.step
    FROM vals v JOIN exps x ON x.experiment_id = v.experiment_id
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

-- The edge i (0..bins) of bins equal-width bins over [low, high], log-spaced when logged.
CREATE OR REPLACE MACRO bin_edge(low, high, logged, i, bins) AS
    CASE WHEN logged THEN pow(10, log10(low) + i * (log10(high) - log10(low)) / bins)
         ELSE low + i * (high - low) / bins END;

-- The level of every trial's value of every search-space attribute, for grouping:
--   categorical  the value as text (JSON text for non-strings); level_order = its position
--                among the declared categories
--   subspace     the chosen sub-configuration's name (the JSON of the mapping when it has none)
--   numerical    with bins > 0: one of bins equal-width bins of the declared range, log-spaced
--                when the attribute is declared log (values outside the range fall in the first
--                or last bin), labelled '[low, high)'; level_order = the bin (0-based).
--                With bins NULL or 0 (or no usable declared range): the value itself.
-- A null value has a NULL level. Columns: experiment_id, trial_uid, attribute, kind, level,
-- level_order, x (the number, for numerical attributes).
CREATE OR REPLACE MACRO attribute_levels(bins := 4) AS TABLE
WITH v AS (
    SELECT s.experiment_id, p.trial_uid, s.name AS attribute, s.kind, s.categories,
        p.value, p.value_type, p.value_text, p.value_double AS x, s.low, s.high,
        coalesce(s.log, false) AND s.low > 0 AS logged,
        bins IS NOT NULL AND bins > 0 AND s.kind = 'numerical' AND p.value_double IS NOT NULL
            AND isfinite(p.value_double) AND s.low IS NOT NULL AND s.high > s.low
            AND NOT (coalesce(s.log, false) AND s.low > 0 AND p.value_double <= 0) AS binned
    FROM search_space s
    JOIN params p ON p.experiment_id = s.experiment_id AND p.name = s.name
),
b AS (
    SELECT v.*,
        CASE WHEN v.binned THEN least(greatest(floor(bins * CASE WHEN v.logged
            THEN (log10(v.x) - log10(v.low)) / (log10(v.high) - log10(v.low))
            ELSE (v.x - v.low) / (v.high - v.low) END), 0), bins - 1)::BIGINT END AS bin
    FROM v
)
SELECT b.experiment_id, b.trial_uid, b.attribute, b.kind,
    CASE WHEN b.value_type = 'null' THEN NULL
         WHEN b.binned THEN printf(CASE WHEN b.bin = bins - 1 THEN '[%s, %s]' ELSE '[%s, %s)' END,
             printf('%.4g', bin_edge(b.low, b.high, b.logged, b.bin, bins)),
             printf('%.4g', bin_edge(b.low, b.high, b.logged, b.bin + 1, bins)))
         WHEN b.kind = 'subspace' AND b.value_type = 'map'
             THEN coalesce(b.value ->> 'name', b.value::VARCHAR)
         ELSE coalesce(b.value_text, b.value::VARCHAR) END AS level,
    CASE WHEN b.value_type = 'null' THEN NULL
         WHEN b.binned THEN b.bin::DOUBLE
         WHEN b.kind = 'numerical' THEN b.x
         WHEN b.kind = 'categorical' THEN list_position(
             json_extract_string(b.categories, '$[*]'),
             coalesce(b.value_text, b.value::VARCHAR))::DOUBLE END AS level_order,
    b.x
FROM b;
