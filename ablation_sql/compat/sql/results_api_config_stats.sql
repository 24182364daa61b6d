-- name: results_api_config_stats
-- Results API: per scalar config key of the included trials, the value types, in how many
-- trials it is set (not null) and the largest integer magnitude: they give the column's type.
-- param experiment_id: str
WITH included AS (
    SELECT t.trial_uid
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
)
SELECT p.name,
    list(DISTINCT p.value_type) AS kinds,
    count(*) FILTER (WHERE p.value_type <> 'null') AS n_set,
    coalesce(max(abs(p.value_double)) FILTER (WHERE p.value_type = 'int'), 0) AS max_int
FROM params p
JOIN included i ON i.trial_uid = p.trial_uid
WHERE p.experiment_id = $experiment_id AND p.value_type NOT IN ('list', 'map')
GROUP BY p.name;
