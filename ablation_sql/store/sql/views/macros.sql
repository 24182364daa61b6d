-- name: macros
-- Static macros of the SQL layer (created by views.refresh_views; public, documented in
-- queries/README.md). Every one is CREATE OR REPLACE, so running this file again is harmless.
-- script

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
    -- redundant with the join, but a one-key filter DuckDB pushes into the scan of params
    WHERE p.name IN (SELECT name FROM search_space)
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

-- attribute_levels with numerical attributes in quantile bins, the one binning of the report,
-- failure_rates and the effects' failure accounting: bins bins between the quantiles 0,
-- 1/bins, ..., 1 of the attribute's finite values (linear interpolation; of log10 of the values
-- for attributes declared log when every value is above 0), equal edges merged, labelled
-- '[low, high)' and the last '[low, high]' (4 significant digits); an attribute with at most
-- bins distinct values has one level per value. Other kinds as in attribute_levels; an
-- undeclared category's level_order is 1000000. Rows with a NULL level or a number that is
-- NULL or not finite are left out. Columns as attribute_levels'.
CREATE OR REPLACE MACRO attribute_quantile_levels(bins := 4) AS TABLE
WITH vals AS (
    SELECT l.*, coalesce(s.log, false) AS log, s.names
    FROM attribute_levels(bins := 0) l
    -- each attribute's declared categories read from their JSON once, not once per trial
    JOIN (SELECT experiment_id, name, log, json_extract_string(categories, '$[*]') AS names
          FROM search_space) s ON s.experiment_id = l.experiment_id AND s.name = l.attribute
    WHERE l.level IS NOT NULL AND (l.kind <> 'numerical' OR coalesce(isfinite(l.x), false))
),
-- per numerical attribute: its edges and labels computed once, each trial's value then binned
scales AS (
    SELECT experiment_id, attribute, bool_and(log) AND min(x) > 0 AS logged
    FROM vals
    WHERE kind = 'numerical'
    GROUP BY experiment_id, attribute
),
numbers AS (
    SELECT v.experiment_id, v.trial_uid, v.attribute, v.x, s.logged,
        CASE WHEN s.logged THEN log10(v.x) ELSE v.x END AS t
    FROM vals v
    JOIN scales s ON s.experiment_id = v.experiment_id AND s.attribute = v.attribute
),
edges AS (
    SELECT experiment_id, attribute, any_value(logged) AS logged,
        count(DISTINCT t) AS distinct_values, list_sort(list(t)) AS sorted
    FROM numbers
    GROUP BY experiment_id, attribute
),
quantiles AS (
    SELECT experiment_id, attribute, logged, distinct_values <= bins AS few,
        list_sort(list_distinct(list_transform(range(0, bins + 1), lambda i:
            sorted[floor(i * (len(sorted) - 1) / bins)::BIGINT + 1]
            + (i * (len(sorted) - 1) / bins - floor(i * (len(sorted) - 1) / bins))
              * (sorted[least(floor(i * (len(sorted) - 1) / bins)::BIGINT + 2, len(sorted))]
                 - sorted[floor(i * (len(sorted) - 1) / bins)::BIGINT + 1])))) AS e
    FROM edges
),
labelled AS (
    SELECT experiment_id, attribute, logged, few, e[2:len(e) - 1] AS inner_edges,
        list_transform(range(0, greatest(len(e) - 1, 1)), lambda b: printf('[%s, %s%s',
             printf('%.4g', CASE WHEN logged THEN pow(10, e[b + 1]) ELSE e[b + 1] END),
             printf('%.4g', CASE WHEN logged THEN pow(10, e[b + 2]) ELSE e[b + 2] END),
             CASE WHEN b = len(e) - 2 THEN ']' ELSE ')' END)) AS labels
    FROM quantiles
),
binned AS (
    SELECT n.experiment_id, n.trial_uid, n.attribute, n.x, n.t, q.logged, q.few, q.labels,
        len(list_filter(q.inner_edges, lambda c: c <= n.t)) AS bin
    FROM numbers n
    JOIN labelled q ON q.experiment_id = n.experiment_id AND q.attribute = n.attribute
)
SELECT experiment_id, trial_uid, attribute, 'numerical' AS kind,
    CASE WHEN few THEN printf('%.4g', CASE WHEN logged THEN pow(10, t) ELSE t END)
         ELSE labels[bin + 1] END AS level,
    CASE WHEN few THEN t ELSE bin END::DOUBLE AS level_order, x
FROM binned
UNION ALL
SELECT experiment_id, trial_uid, attribute, kind, level,
    CASE WHEN kind = 'categorical' THEN coalesce(list_position(names, level), 1000000)
         ELSE level_order END::DOUBLE, x
FROM vals
WHERE kind <> 'numerical';
