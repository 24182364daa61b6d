-- name: learning_curves
-- Per step, the mean and 95 % CI of a metric for each level of an attribute.
-- One row per (experiment, metric, attribute, level, step) over the trials' values at that
-- step (only finite values); every attribute's rows when no attribute is given, every given
-- metric's (in the order given) when several are. Levels as in attribute_levels: categories,
-- sub-configuration names, or bins of a numerical attribute's declared range (binning
-- quantile: attribute_quantile_levels' bins). The CI is mean ± t(0.975, n-1)·std/√n (NULL for
-- n < 2).
-- param metric: str[] = val_loss    -- the metric, or several (comma-separated: the trials'
--                                      levels found once, each value read once)
-- param attribute: str = NULL       -- the attribute whose levels split the curves (NULL: every
--                                      attribute, in one pass over the metric's values)
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param status: str = NULL          -- only trials with this status, e.g. complete (NULL: all)
-- param bins: int >= 0 = 4        -- numerical attributes: how many bins (0: every value)
-- param binning: str = width        -- width (of the declared range) | quantile (as failure_rates)
WITH trial_levels AS (
    SELECT l.experiment_id, l.trial_uid, l.attribute, l.level, l.level_order
    FROM (SELECT * FROM attribute_levels(bins := $bins)
          WHERE coalesce($binning, 'width') = 'width' OR coalesce($bins, 0) = 0
          UNION ALL
          SELECT * FROM attribute_quantile_levels(bins := $bins)
          WHERE $binning = 'quantile' AND $bins > 0) l
    JOIN trials t ON t.experiment_id = l.experiment_id AND t.trial_uid = l.trial_uid
    WHERE ($attribute IS NULL OR l.attribute = $attribute)
      AND ($experiment IS NULL OR l.experiment_id = $experiment)
      AND ($status IS NULL OR t.status = $status)
),
-- every (experiment, attribute, level) numbered
groups AS (
    SELECT experiment_id, attribute, level, any_value(level_order) AS level_order,
        (row_number() OVER ())::INTEGER AS id
    FROM trial_levels
    GROUP BY experiment_id, attribute, level
),
-- each trial's groups as one combination of groups (as many as there are distinct ones)
trial_groups AS (
    SELECT l.experiment_id, l.trial_uid, list(g.id ORDER BY g.id) AS ids
    FROM trial_levels l
    JOIN groups g ON g.experiment_id = l.experiment_id AND g.attribute = l.attribute
        AND g.level IS NOT DISTINCT FROM l.level
    GROUP BY l.experiment_id, l.trial_uid
),
combinations AS (
    SELECT ids, (row_number() OVER ())::INTEGER AS combination
    FROM (SELECT DISTINCT ids FROM trial_groups)
),
trial_combinations AS (
    SELECT g.experiment_id, g.trial_uid, c.combination
    FROM trial_groups g
    JOIN combinations c ON c.ids = g.ids
),
-- each value of the metrics read once: count, mean and sum of squared deviations per
-- metric, combination and step
parts AS (
    SELECT m.name AS metric, c.combination, m.step, count(*) AS n, avg(m.value) AS mean,
        coalesce(var_pop(m.value), 0) * count(*) AS m2
    FROM metrics m
    JOIN trial_combinations c ON c.experiment_id = m.experiment_id AND c.trial_uid = m.trial_uid
    -- (IN a subquery: DuckDB filters the scan of metrics by the names)
    WHERE m.name IN (SELECT unnest($metric)) AND isfinite(m.value)
    GROUP BY m.name, c.combination, m.step
),
-- a group's parts merged (Chan et al.'s pairwise update, as a parallel variance merges them)
counted AS (
    SELECT p.metric, g.id, p.step, p.n, p.mean, p.m2,
        sum(p.n) OVER w AS total, sum(p.n * p.mean) OVER w / sum(p.n) OVER w AS grand
    FROM parts p
    JOIN (SELECT combination, unnest(ids) AS id FROM combinations) g
        ON g.combination = p.combination
    WINDOW w AS (PARTITION BY p.metric, g.id, p.step)
),
stats AS (
    SELECT metric, id, step, any_value(total) AS n, any_value(grand) AS mean,
        CASE WHEN any_value(total) > 1 THEN sqrt(greatest(sum(m2 + n * (mean - grand) ** 2), 0)
                                              / (any_value(total) - 1)) END AS std
    FROM counted
    GROUP BY metric, id, step
)
SELECT g.experiment_id, s.metric, g.attribute, g.level, s.step, s.n, s.mean, s.std,
    s.mean - ci95_half_width(s.std, s.n) AS ci_low,
    s.mean + ci95_half_width(s.std, s.n) AS ci_high
FROM stats s
JOIN groups g ON g.id = s.id
ORDER BY g.experiment_id, list_position($metric, s.metric), g.attribute,
    g.level_order NULLS LAST, g.level NULLS LAST, s.step;
