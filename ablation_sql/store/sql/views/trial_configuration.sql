-- name: trial_configuration
-- One row per trial: the configuration it runs, as a key equal for trials whose search-space
-- attributes are equal except for seed attributes (seed_attributes: a list of names, NULL: the
-- names ending in "seed") in experiments whose search spaces are declared alike (seed attributes
-- aside); a trial of an experiment without a search space, or without any attribute value (no
-- readable config), is its own configuration.
-- Columns: experiment_id, trial_uid, configuration (12 hex digits), search_space (12 hex digits,
-- shared by experiments with the same declared space), attributes (JSON of the attribute values
-- that make the key), seed (the seed attributes' values as name=value, NULL without one).
CREATE OR REPLACE MACRO trial_configuration(seed_attributes := NULL) AS TABLE
WITH spaces AS (
    SELECT s.experiment_id,
        md5(string_agg(concat_ws(chr(31), s.name, s.kind, s.value_type, s.low, s.high, s.log,
                                 s.categories::VARCHAR, s.n_bins, s.parent),
                       chr(30) ORDER BY s.name)) AS space_key
    FROM search_space s
    WHERE NOT seed_attribute(s.name, seed_attributes)
    GROUP BY s.experiment_id
),
-- each trial's (name, value) pairs sorted by name once (a sorted list, cheaper than two
-- ordered string_agg), then written out both ways; NULL values are skipped as string_agg skips
attrs AS (
    SELECT experiment_id, trial_uid,
        array_to_string(list_transform(pairs, lambda a: a.name || chr(31) || a.value),
                        chr(30)) AS key_text,
        '{' || array_to_string(list_transform(pairs, lambda a:
                   to_json(a.name)::VARCHAR || ':' || a.value), ',') || '}' AS attributes
    FROM (
        SELECT p.experiment_id, p.trial_uid,
            list_sort(list(struct_pack(name := p.name, value := p.value::VARCHAR))) AS pairs
        FROM params p
        JOIN search_space s ON s.experiment_id = p.experiment_id AND s.name = p.name
        WHERE NOT seed_attribute(p.name, seed_attributes)
            -- redundant with the join, but a one-key filter DuckDB pushes into the scan
            AND p.name IN (SELECT name FROM search_space)
        GROUP BY p.experiment_id, p.trial_uid
    )
),
seeds AS (
    SELECT p.experiment_id, p.trial_uid,
        string_agg(p.name || '=' || p.value::VARCHAR, ', ' ORDER BY p.name) AS seed
    FROM params p
    WHERE seed_attribute(p.name, seed_attributes)
    GROUP BY p.experiment_id, p.trial_uid
)
SELECT t.experiment_id, t.trial_uid,
    left(md5(CASE WHEN sp.space_key IS NULL OR a.key_text IS NULL
                  THEN concat_ws(chr(31), 'trial', t.experiment_id, t.trial_uid)
                  ELSE concat_ws(chr(31), sp.space_key, a.key_text) END),
         12) AS configuration,
    left(sp.space_key, 12) AS search_space,
    a.attributes,
    s.seed
FROM trials t
LEFT JOIN spaces sp ON sp.experiment_id = t.experiment_id
LEFT JOIN attrs a ON a.experiment_id = t.experiment_id AND a.trial_uid = t.trial_uid
LEFT JOIN seeds s ON s.experiment_id = t.experiment_id AND s.trial_uid = t.trial_uid;
