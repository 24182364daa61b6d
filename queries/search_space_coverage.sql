-- name: search_space_coverage
-- Per search-space attribute: the declared range or categories against what was sampled.
-- For numerical attributes: declared low/high, sampled min/max, values outside the range, and
-- coverage = the share of the declared range between the sampled min and max (in log10 for
-- attributes declared log; 0 when nothing was sampled inside the range). For
-- categorical and subspace attributes (by sub-configuration name): the declared categories,
-- those sampled, those never sampled, values not declared, and coverage = share of the
-- declared categories sampled. trials counts trials with a non-null value. An attribute
-- declared inside a subspace counts every trial whose config has the key, whichever
-- sub-configuration it chose.
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
WITH declared AS (
    SELECT s.experiment_id, s.name AS attribute, s.kind, s.value_type, coalesce(s.log, false) AS log,
        s.low, s.high,
        CASE s.kind
            WHEN 'categorical' THEN json_extract_string(s.categories, '$[*]')
            WHEN 'subspace' THEN json_extract_string(s.categories, '$[*].sub_configuration.name')
        END AS categories
    FROM search_space s
    WHERE $experiment IS NULL OR s.experiment_id = $experiment
),
-- each attribute's levels once (one grouping, not one per DISTINCT aggregate)
levels AS (
    SELECT l.experiment_id, l.attribute, l.level, count(*) AS n, min(l.x) AS x_min,
        max(l.x) AS x_max
    FROM attribute_levels(bins := 0) l
    GROUP BY l.experiment_id, l.attribute, l.level
),
sampled AS (
    SELECT experiment_id, attribute,
        coalesce(sum(n) FILTER (WHERE level IS NOT NULL), 0)::BIGINT AS trials,
        count(level) AS distinct_values,
        min(x_min) AS sampled_min,
        max(x_max) AS sampled_max,
        list_sort(list(level) FILTER (WHERE level IS NOT NULL)) AS levels
    FROM levels
    GROUP BY experiment_id, attribute
),
outside AS (
    SELECT l.experiment_id, l.attribute, count(*) AS out_of_range
    FROM attribute_levels(bins := 0) l
    JOIN declared d ON d.experiment_id = l.experiment_id AND d.attribute = l.attribute
    WHERE l.level IS NOT NULL AND CASE
        WHEN d.kind = 'numerical' THEN l.x IS NULL OR l.x < d.low OR l.x > d.high
        ELSE d.categories IS NOT NULL AND NOT list_contains(d.categories, l.level) END
    GROUP BY l.experiment_id, l.attribute
)
SELECT d.experiment_id, d.attribute, d.kind, d.value_type, d.log,
    d.low AS declared_low, d.high AS declared_high,
    s.sampled_min, s.sampled_max,
    d.categories AS declared_categories,
    CASE WHEN d.kind <> 'numerical' THEN s.levels END AS sampled_categories,
    CASE WHEN d.kind <> 'numerical'
         THEN list_filter(d.categories, lambda c: NOT list_contains(coalesce(s.levels, []), c))
         END AS missing_categories,
    coalesce(s.trials, 0) AS trials,
    coalesce(s.distinct_values, 0) AS distinct_values,
    coalesce(o.out_of_range, 0) AS out_of_range,
    CASE WHEN d.kind = 'numerical' THEN
            CASE WHEN least(s.sampled_max, d.high) <= greatest(s.sampled_min, d.low) THEN 0
                 WHEN d.log AND d.low > 0
                 THEN (log10(least(s.sampled_max, d.high)) - log10(greatest(s.sampled_min, d.low)))
                      / nullif(log10(d.high) - log10(d.low), 0)
                 ELSE (least(s.sampled_max, d.high) - greatest(s.sampled_min, d.low))
                      / nullif(d.high - d.low, 0) END
         ELSE len(list_filter(d.categories, lambda c: list_contains(coalesce(s.levels, []), c)))
              / nullif(len(d.categories), 0) END AS coverage
FROM declared d
LEFT JOIN sampled s ON s.experiment_id = d.experiment_id AND s.attribute = d.attribute
LEFT JOIN outside o ON o.experiment_id = d.experiment_id AND o.attribute = d.attribute
ORDER BY d.experiment_id, d.attribute;
