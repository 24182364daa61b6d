-- name: learning_curves
-- Per step, the mean and 95 % CI of a metric for each level of an attribute.
-- One row per (experiment, attribute, level, step) over the trials' values at that step (only
-- finite values); every attribute's rows when no attribute is given. Levels as in attribute_levels: categories, sub-configuration names, or bins of a
-- numerical attribute's declared range (binning quantile: attribute_quantile_levels' bins).
-- The CI is mean ± t(0.975, n-1)·std/√n (NULL for n < 2).
-- param metric: str = val_loss      -- the metric
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
-- every (experiment, attribute, level) numbered, and each trial's list of their numbers
groups AS (
    SELECT experiment_id, attribute, level, any_value(level_order) AS level_order,
        (row_number() OVER ())::INTEGER AS id
    FROM trial_levels
    GROUP BY experiment_id, attribute, level
),
trial_groups AS (
    SELECT l.experiment_id, l.trial_uid, list(g.id) AS ids
    FROM trial_levels l
    JOIN groups g ON g.experiment_id = l.experiment_id AND g.attribute = l.attribute
        AND g.level IS NOT DISTINCT FROM l.level
    GROUP BY l.experiment_id, l.trial_uid
),
-- each value of the metric read once, counted in each of its trial's groups
stats AS (
    SELECT v.id, v.step, count(*) AS n, avg(v.value) AS mean, stddev_samp(v.value) AS std
    FROM (SELECT m.step, m.value, unnest(g.ids) AS id
          FROM metrics m
          JOIN trial_groups g ON g.experiment_id = m.experiment_id AND g.trial_uid = m.trial_uid
          WHERE m.name = $metric AND isfinite(m.value)) v
    GROUP BY v.id, v.step
)
SELECT g.experiment_id, g.attribute, g.level, s.step, s.n, s.mean, s.std,
    s.mean - ci95_half_width(s.std, s.n) AS ci_low,
    s.mean + ci95_half_width(s.std, s.n) AS ci_high
FROM stats s
JOIN groups g ON g.id = s.id
ORDER BY g.experiment_id, g.attribute, g.level_order NULLS LAST, g.level NULLS LAST, s.step;
