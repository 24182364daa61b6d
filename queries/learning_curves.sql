-- name: learning_curves
-- Per step, the mean and 95 % CI of a metric for each level of an attribute.
-- One row per (experiment, level, step) over the trials' values at that step (only finite
-- values). Levels as in attribute_levels: categories, sub-configuration names, or bins of a
-- numerical attribute's declared range (binning quantile: attribute_quantile_levels' bins).
-- The CI is mean ± t(0.975, n-1)·std/√n (NULL for n < 2).
-- param metric: str = val_loss      -- the metric
-- param attribute: str              -- the attribute whose levels split the curves
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param status: str = NULL          -- only trials with this status, e.g. complete (NULL: all)
-- param bins: int >= 0 = 4        -- numerical attributes: how many bins (0: every value)
-- param binning: str = width        -- width (of the declared range) | quantile (as failure_rates)
WITH stats AS (
    SELECT l.experiment_id, l.attribute, l.level, any_value(l.level_order) AS level_order,
        m.step,
        count(*) AS n,
        avg(m.value) AS mean,
        stddev_samp(m.value) AS std
    FROM (SELECT * FROM attribute_levels(bins := $bins)
          WHERE coalesce($binning, 'width') = 'width' OR coalesce($bins, 0) = 0
          UNION ALL
          SELECT * FROM attribute_quantile_levels(bins := $bins)
          WHERE $binning = 'quantile' AND $bins > 0) l
    JOIN trials t ON t.experiment_id = l.experiment_id AND t.trial_uid = l.trial_uid
    JOIN metrics m ON m.experiment_id = l.experiment_id AND m.trial_uid = l.trial_uid
    WHERE l.attribute = $attribute
      AND m.name = $metric AND isfinite(m.value)
      AND ($experiment IS NULL OR l.experiment_id = $experiment)
      AND ($status IS NULL OR t.status = $status)
    GROUP BY l.experiment_id, l.attribute, l.level, m.step
)
SELECT experiment_id, attribute, level, step, n, mean, std,
    mean - ci95_half_width(std, n) AS ci_low,
    mean + ci95_half_width(std, n) AS ci_high
FROM stats
ORDER BY experiment_id, level_order NULLS LAST, level NULLS LAST, step;
