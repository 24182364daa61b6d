-- name: results_api_config_values
-- Results API: the plain config values (names: the keys read, kinds: each key's column type)
-- of the included trials, one row per (trial, key): the trial's position among the included
-- trials by trial_uid, the key's position k in names, and its value in the column of its type
-- (the others NULL); the largest where a trial holds a key twice. In no order.
-- compat/results_frame.py places each value in its column.
-- param experiment_id: str
-- param names: str[]
-- param kinds: str[]
WITH included AS (
    SELECT t.trial_uid, row_number() OVER (ORDER BY t.trial_uid) - 1 AS trial
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
),
keys AS (
    SELECT unnest($names) AS name, unnest($kinds) AS kind, generate_subscripts($names, 1) - 1 AS k
),
found AS (
    SELECT i.trial, keys.k, any_value(keys.kind) AS kind, max(p.value) AS v,
        max(p.value_double) AS d, max(p.value_text) AS t
    FROM params p
    JOIN keys ON keys.name = p.name
    JOIN included i ON i.trial_uid = p.trial_uid
    WHERE p.experiment_id = $experiment_id AND p.value_type NOT IN ('list', 'map')
    GROUP BY i.trial, keys.k
)
SELECT CAST(trial AS BIGINT) AS trial, CAST(k AS BIGINT) AS k,
    CASE WHEN kind = 'bigint' THEN CAST(v AS BIGINT) END AS "bigint",
    CASE WHEN kind = 'double' THEN d END AS "double",
    CASE WHEN kind = 'varchar' THEN t END AS "varchar",
    CASE WHEN kind = 'boolean' THEN CAST(v AS BOOLEAN) END AS "boolean",
    CASE WHEN kind = 'json' THEN v END AS "json"
FROM found;
