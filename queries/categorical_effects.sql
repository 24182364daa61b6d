-- name: categorical_effects
-- Per level of each categorical attribute: n, mean, median, std, best and 95 % CI of the mean.
-- Each trial is reduced to one value by trial_metric (best by default); only finite values
-- count. Categorical attributes are the search space's categorical and subspace ones (a
-- subspace's level is the chosen sub-configuration's name). std is the sample standard
-- deviation; the CI is mean ± t(0.975, n-1)·std/√n (NULL for n < 2); best is by direction.
-- param metric: str = val_loss      -- the metric
-- param attribute: str = NULL       -- only this attribute (NULL: every categorical attribute)
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param status: str = NULL          -- only trials with this status, e.g. complete (NULL: all)
-- include: reduction
WITH reduced AS (
    SELECT r.experiment_id, r.trial_uid, r.value,
        needed_direction(r.direction, r.metric, r.experiment_id) AS direction
    FROM trial_metric($metric, reduction := $reduction, k := $last_k, at_step := $at_step,
                      by_metric := $by_metric, direction := $direction,
                      experiment := $experiment) r
    JOIN trials t ON t.experiment_id = r.experiment_id AND t.trial_uid = r.trial_uid
    WHERE isfinite(r.value)
      AND ($experiment IS NULL OR r.experiment_id = $experiment)
      AND ($status IS NULL OR t.status = $status)
),
stats AS (
    SELECT l.experiment_id, l.attribute, l.level, any_value(l.level_order) AS level_order,
        count(*) AS n,
        avg(r.value) AS mean,
        median(r.value) AS median,
        stddev_samp(r.value) AS std,
        CASE WHEN any_value(r.direction) = 'max' THEN max(r.value) ELSE min(r.value) END AS best
    FROM attribute_levels(bins := 0) l
    JOIN reduced r ON r.experiment_id = l.experiment_id AND r.trial_uid = l.trial_uid
    WHERE l.kind IN ('categorical', 'subspace')
      AND ($attribute IS NULL OR l.attribute = $attribute)
    GROUP BY l.experiment_id, l.attribute, l.level
)
SELECT experiment_id, attribute, level, n, mean, median, std, best,
    mean - ci95_half_width(std, n) AS ci_low,
    mean + ci95_half_width(std, n) AS ci_high
FROM stats
ORDER BY experiment_id, attribute, level_order NULLS LAST, level NULLS LAST;
