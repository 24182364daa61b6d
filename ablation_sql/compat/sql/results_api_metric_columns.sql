-- name: results_api_metric_columns
-- Results API: the metric names of the included trials, in the order pandas unions the trials'
-- results.json keys (trials by trial_uid, keys as written; names only ever holding non-numbers
-- last), and whether any value is not a number (kept in metrics_other).
-- param experiment_id: str
WITH included AS (
    SELECT t.trial_uid
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
),
names AS (
    SELECT m.name, false AS other, min({'t': m.trial_uid, 'r': m.rowid}) AS first_seen
    FROM metrics m
    JOIN included i ON i.trial_uid = m.trial_uid
    WHERE m.experiment_id = $experiment_id
    GROUP BY m.name
    UNION ALL
    SELECT o.name, true, min({'t': o.trial_uid, 'r': o.rowid})
    FROM metrics_other o
    JOIN included i ON i.trial_uid = o.trial_uid
    WHERE o.experiment_id = $experiment_id
    GROUP BY o.name
)
SELECT name, bool_or(other) AS other
FROM names
GROUP BY name
ORDER BY bool_and(other), arg_min(first_seen, other), name;
