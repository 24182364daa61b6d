-- name: effects_levels
-- effects: every trial's value of every numerical, categorical or subspace attribute of
-- $experiment (nested ones included), long form: the number (numerical) and the level as text
-- (categorical: JSON text for non-strings; subspace: the chosen branch's name), from
-- attribute_levels without binning. NULL values are left out.
-- param experiment: str   -- NULL: every experiment
SELECT l.trial_uid, l.attribute, l.kind, l.x, l.level
FROM attribute_levels(bins := 0) l
JOIN search_space s ON s.experiment_id = l.experiment_id AND s.name = l.attribute
WHERE l.experiment_id = $experiment AND s.kind IN ('numerical', 'categorical', 'subspace')
  AND l.level IS NOT NULL
