-- name: compare_experiments
-- One metric across the experiments in the database: trials, best trial, mean, median, std, CI.
-- Each trial is reduced to one value by trial_metric (best by default); n, best and the
-- statistics use finite values only. best is by direction (ties: the smallest trial_uid); the
-- CI is mean ± t(0.975, n-1)·std/√n (NULL for n < 2).
-- param metric: str = val_loss      -- the metric
-- param status: str = NULL          -- only trials with this status, e.g. complete (NULL: all)
-- include: reduction
WITH reduced AS (
    SELECT r.experiment_id, r.trial_uid, r.value,
        needed_direction(r.direction, r.metric, r.experiment_id) AS direction
    FROM trial_metric($metric, reduction := $reduction, k := $last_k, at_step := $at_step,
                      by_metric := $by_metric, direction := $direction) r
    JOIN trials t ON t.experiment_id = r.experiment_id AND t.trial_uid = r.trial_uid
    WHERE $status IS NULL OR t.status = $status
),
stats AS (
    SELECT r.experiment_id, any_value(r.direction) AS direction,
        count(*) AS trials,
        count(*) FILTER (WHERE isfinite(r.value)) AS n,
        min(struct_pack(key := order_key(r.value, r.direction), trial := r.trial_uid))
            FILTER (WHERE isfinite(r.value)) AS best,
        avg(r.value) FILTER (WHERE isfinite(r.value)) AS mean,
        median(r.value) FILTER (WHERE isfinite(r.value)) AS median,
        stddev_samp(r.value) FILTER (WHERE isfinite(r.value)) AS std
    FROM reduced r
    GROUP BY r.experiment_id
)
SELECT s.experiment_id, e.search_algo, s.direction, s.trials, s.n,
    order_key(s.best.key, s.direction) AS best, s.best.trial AS best_trial,
    s.mean, s.median, s.std,
    s.mean - ci95_half_width(s.std, s.n) AS ci_low,
    s.mean + ci95_half_width(s.std, s.n) AS ci_high
FROM stats s
LEFT JOIN experiments e ON e.experiment_id = s.experiment_id
ORDER BY s.experiment_id;
