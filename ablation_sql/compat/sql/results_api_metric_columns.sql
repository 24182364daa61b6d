-- name: results_api_metric_columns
-- Results API: the metric names of the included trials, in the order pandas unions the trials'
-- results.json keys (trials by trial_uid, keys as written; names only ever holding non-numbers
-- last), and whether any value is not a number (kept in metrics_other). A name is first seen
-- in the first trial holding it, at its first row there (found among that trial's rows only).
-- param experiment_id: str
WITH included AS (
    SELECT t.trial_uid
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
),
firsts AS (
    SELECT m.name, false AS other, min(m.trial_uid) AS trial_uid
    FROM metrics m
    JOIN included i ON i.trial_uid = m.trial_uid
    WHERE m.experiment_id = $experiment_id
    GROUP BY m.name
    UNION ALL
    SELECT o.name, true, min(o.trial_uid)
    FROM metrics_other o
    JOIN included i ON i.trial_uid = o.trial_uid
    WHERE o.experiment_id = $experiment_id
    GROUP BY o.name
),
names AS (
    SELECT f.name, f.other, {'t': f.trial_uid, 'r': min(m.rowid)} AS first_seen
    FROM firsts f
    JOIN metrics m ON m.experiment_id = $experiment_id AND m.trial_uid = f.trial_uid
        AND m.name = f.name
    WHERE NOT f.other
    GROUP BY f.name, f.other, f.trial_uid
    UNION ALL
    SELECT f.name, f.other, {'t': f.trial_uid, 'r': min(o.rowid)}
    FROM firsts f
    JOIN metrics_other o ON o.experiment_id = $experiment_id AND o.trial_uid = f.trial_uid
        AND o.name = f.name
    WHERE f.other
    GROUP BY f.name, f.other, f.trial_uid
)
SELECT name, bool_or(other) AS other
FROM names
GROUP BY name
ORDER BY bool_and(other), arg_min(first_seen, other), name;
