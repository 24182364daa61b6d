-- name: results_api_config_shapes
-- Results API: the key structures (json_structure: keys in written order, dotted keys kept
-- whole) of the included trials' configs, one per set of flattened keys, first seen by
-- trial_uid. They give the config columns' order. A key set is told apart by its size and two
-- hashes of its names (with whether each holds a list or mapping), so no config is parsed twice.
-- param experiment_id: str
WITH included AS (
    SELECT t.trial_uid
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
),
key_sets AS (
    SELECT p.trial_uid, count(*) AS n_keys,
        bit_xor(hash(p.name, p.value_type IN ('list', 'map'))) AS names_xor,
        sum(hash(p.name) >> 8) AS names_sum
    FROM params p
    JOIN included i ON i.trial_uid = p.trial_uid
    WHERE p.experiment_id = $experiment_id
    GROUP BY p.trial_uid
),
firsts AS (
    SELECT min(k.trial_uid) AS trial_uid
    FROM key_sets k
    GROUP BY k.n_keys, k.names_xor, k.names_sum
)
SELECT json_structure(t.config) AS shape
FROM firsts f
JOIN trials t ON t.experiment_id = $experiment_id AND t.trial_uid = f.trial_uid
ORDER BY f.trial_uid;
