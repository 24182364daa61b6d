-- name: seed_attribute
-- Whether a config key is a seed attribute: one of the names given (full or last dotted part),
-- or, when none are given (NULL), any key whose name ends in "seed" (random_seed, data.seed).
CREATE OR REPLACE MACRO seed_attribute(name, given) AS
    CASE WHEN given IS NULL THEN lower(name) LIKE '%seed'
         ELSE list_has_any(given, [name, regexp_extract(name, '[^.]*$')]) END;
