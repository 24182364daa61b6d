-- name: numerical_effects
-- Per numerical attribute: n, slope, intercept, Pearson r, R² and Spearman ρ against a metric.
-- Each trial is reduced to one value y by trial_metric (best by default); only finite values
-- count. x is the attribute's value, or log10 of it for attributes declared log: true (when
-- log_x; the scale column says which). slope, intercept and R² are those of the least-squares
-- line y = intercept + slope·x; Spearman ρ is Pearson's r of the ranks (ties: average rank).
-- param metric: str = val_loss      -- the metric (y)
-- param attribute: str = NULL       -- only this attribute (NULL: every numerical attribute)
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param status: str = NULL          -- only trials with this status, e.g. complete (NULL: all)
-- param log_x: bool = true          -- use log10(x) for attributes declared log
-- include: reduction
WITH reduced AS (
    SELECT r.experiment_id, r.trial_uid, r.value
    FROM trial_metric($metric, reduction := $reduction, k := $last_k, at_step := $at_step,
                      by_metric := $by_metric, direction := $direction,
                      experiment := $experiment) r
    JOIN trials t ON t.experiment_id = r.experiment_id AND t.trial_uid = r.trial_uid
    WHERE isfinite(r.value)
      AND ($experiment IS NULL OR r.experiment_id = $experiment)
      AND ($status IS NULL OR t.status = $status)
),
-- each (experiment, attribute) numbered: the windows partition by one integer, faster to
-- partition by than the two strings
ids AS (
    SELECT experiment_id, name, row_number() OVER (ORDER BY experiment_id, name) AS id
    FROM (SELECT DISTINCT experiment_id, name FROM search_space)
),
xs AS (
    SELECT s.experiment_id, s.name AS attribute, i.id, p.trial_uid,
        coalesce($log_x, false) AND coalesce(s.log, false) AS logged,
        CASE WHEN coalesce($log_x, false) AND coalesce(s.log, false)
             THEN CASE WHEN p.value_double > 0 THEN log10(p.value_double) END
             ELSE p.value_double END AS x
    FROM search_space s
    JOIN ids i ON i.experiment_id = s.experiment_id AND i.name = s.name
    JOIN params p ON p.experiment_id = s.experiment_id AND p.name = s.name
    WHERE s.kind = 'numerical' AND ($attribute IS NULL OR s.name = $attribute)
      -- redundant with the join, but a one-key filter DuckDB pushes into the scan of params
      AND p.name IN (SELECT name FROM search_space WHERE kind = 'numerical')
),
pairs AS (
    SELECT x.experiment_id, x.attribute, x.logged, x.x, r.value AS y,
        (rank() OVER wx + count(*) OVER wx) / 2.0 AS rx,
        (rank() OVER wy + count(*) OVER wy) / 2.0 AS ry
    FROM xs x
    JOIN reduced r ON r.experiment_id = x.experiment_id AND r.trial_uid = x.trial_uid
    WHERE isfinite(x.x)
    WINDOW wx AS (PARTITION BY x.id ORDER BY x.x), wy AS (PARTITION BY x.id ORDER BY r.value)
)
SELECT experiment_id, attribute,
    CASE WHEN any_value(logged) THEN 'log10' ELSE 'linear' END AS scale,
    count(*) AS n,
    regr_slope(y, x) AS slope,
    regr_intercept(y, x) AS intercept,
    corr(y, x) AS pearson_r,
    regr_r2(y, x) AS r_squared,
    corr(ry, rx) AS spearman_rho
FROM pairs
GROUP BY experiment_id, attribute
ORDER BY experiment_id, attribute;
