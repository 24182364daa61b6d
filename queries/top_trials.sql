-- name: top_trials
-- The k best trials for a metric in each experiment, with their attribute values.
-- Each trial is reduced to one value by trial_metric (best by default; see README.md) and
-- ranked within its experiment by direction: rank 1 is the best, ties share a rank, ±inf comes
-- after every finite value; trials without a value are left out. Exactly k rows per experiment
-- (ties at the k-th place are broken by trial_uid). Complete trials only unless status says
-- otherwise: a failed trial's value after one step is not comparable with a finished one's.
-- param metric: str = val_loss      -- the metric to rank by
-- param k: int >= 1 = 10          -- trials per experiment
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param status: str = complete      -- only trials with this status (NULL: every status)
-- include: reduction
WITH reduced AS (
    SELECT r.experiment_id, r.trial_uid, t.status, r.metric,
        needed_direction(r.direction, r.metric, r.experiment_id) AS direction, r.value, r.step
    FROM trial_metric($metric, reduction := $reduction, k := $last_k, at_step := $at_step,
                      by_metric := $by_metric, direction := $direction,
                      experiment := $experiment) r
    JOIN trials t ON t.experiment_id = r.experiment_id AND t.trial_uid = r.trial_uid
    WHERE r.value IS NOT NULL
      AND ($experiment IS NULL OR r.experiment_id = $experiment)
      AND ($status IS NULL OR t.status = $status)
),
-- each experiment's first k by a top-k aggregate; ranked among themselves, they rank as
-- among all (every trial ranked before one of them is one of them)
top AS (
    SELECT unnest(min_by(r, struct_pack(i := isinf(r.value),
                                        o := order_key(r.value, r.direction),
                                        u := r.trial_uid), $k), max_depth := 2)
    FROM reduced r
    GROUP BY r.experiment_id
),
ranked AS (
    SELECT r.*,
        rank() OVER (PARTITION BY r.experiment_id
                     ORDER BY isinf(r.value), order_key(r.value, r.direction)) AS rank,
        row_number() OVER (PARTITION BY r.experiment_id
                           ORDER BY isinf(r.value), order_key(r.value, r.direction),
                                    r.trial_uid) AS position
    FROM top r
)
SELECT r.experiment_id, r.rank, r.trial_uid, r.status, r.metric, r.direction, r.value, r.step,
    a.* EXCLUDE (experiment_id, trial_uid)
FROM ranked r
LEFT JOIN trial_attributes a ON a.experiment_id = r.experiment_id AND a.trial_uid = r.trial_uid
WHERE r.position <= $k
ORDER BY r.experiment_id, r.position;
