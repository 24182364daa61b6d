-- name: attribute_associations
-- Per pair of search-space attributes: how strongly the search sampled them together.
-- Two numerical attributes: Spearman ρ (Pearson's r of the ranks, ties: average rank). A
-- numerical and a categorical one: the correlation ratio η = √(SS between levels / SS total),
-- the number in log10 for attributes declared log: true (when all its values are positive).
-- Two categorical ones: Cramér's V = √(χ² / (n·(min(levels) − 1))), χ² of the table of their
-- sampled levels. n: trials with both attributes set, whatever their status (the sampler's
-- choices); value NULL when undefined (n < 3, one value or one level only). Top-level numerical
-- and categorical attributes, numerical first, in declaration order. The effects check
-- (ablation_sql.effects.associations) flags a pair when |value| >= 0.3 and its p-value,
-- Holm-adjusted over the experiment's pairs, is below 0.01; SQL has no p-values, so
-- above_threshold only says |value| >= threshold.
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param threshold: float >= 0 <= 1 = 0.3  -- above_threshold: |value| >= this
WITH attrs AS (
    SELECT s.experiment_id, s.name AS attribute, s.kind, coalesce(s.log, false) AS log,
        row_number() OVER (PARTITION BY s.experiment_id
                           ORDER BY s.kind = 'categorical', s.rowid) AS ord
    FROM search_space s
    WHERE s.parent IS NULL AND s.kind IN ('numerical', 'categorical')
      AND ($experiment IS NULL OR s.experiment_id = $experiment)
),
raw AS (
    SELECT l.experiment_id, l.trial_uid, l.attribute, a.kind, a.log, a.ord, l.level,
        CASE WHEN a.kind = 'numerical' THEN l.x END AS x
    FROM attribute_levels(bins := 0) l
    JOIN attrs a ON a.experiment_id = l.experiment_id AND a.attribute = l.attribute
    WHERE l.level IS NOT NULL AND (a.kind = 'categorical' OR isfinite(l.x))
),
v AS (
    SELECT experiment_id, trial_uid, attribute, kind, ord, level,
        CASE WHEN log AND min(x) OVER (PARTITION BY experiment_id, attribute) > 0
             THEN log10(x) ELSE x END AS x
    FROM raw
),
pairs AS (
    SELECT a.experiment_id, a.attribute AS attribute_a, b.attribute AS attribute_b,
        a.ord AS ord_a, b.ord AS ord_b,
        CASE WHEN b.kind = 'numerical' THEN 'spearman'
             WHEN a.kind = 'numerical' THEN 'correlation_ratio'
             ELSE 'cramers_v' END AS measure,
        a.x AS xa, b.x AS xb, a.level AS la, b.level AS lb
    FROM v a
    JOIN v b ON b.experiment_id = a.experiment_id AND b.trial_uid = a.trial_uid
        AND b.ord > a.ord
),
w AS (
    SELECT p.*,
        rank() OVER (PARTITION BY experiment_id, attribute_a, attribute_b ORDER BY xa)
            + (count(*) OVER (PARTITION BY experiment_id, attribute_a, attribute_b, xa) - 1)
              / 2.0 AS ra,
        rank() OVER (PARTITION BY experiment_id, attribute_a, attribute_b ORDER BY xb)
            + (count(*) OVER (PARTITION BY experiment_id, attribute_a, attribute_b, xb) - 1)
              / 2.0 AS rb,
        avg(xa) OVER (PARTITION BY experiment_id, attribute_a, attribute_b) AS mean_all,
        avg(xa) OVER (PARTITION BY experiment_id, attribute_a, attribute_b, lb) AS mean_level,
        count(*) OVER (PARTITION BY experiment_id, attribute_a, attribute_b, la, lb) AS cell,
        count(*) OVER (PARTITION BY experiment_id, attribute_a, attribute_b, la) AS row_total,
        count(*) OVER (PARTITION BY experiment_id, attribute_a, attribute_b, lb) AS col_total
    FROM pairs p
),
agg AS (
    SELECT experiment_id, attribute_a, attribute_b, any_value(measure) AS measure,
        any_value(ord_a) AS ord_a, any_value(ord_b) AS ord_b,
        count(*) AS n,
        count(DISTINCT xa) AS values_a, count(DISTINCT xb) AS values_b,
        count(DISTINCT la) AS levels_a, count(DISTINCT lb) AS levels_b,
        corr(ra, rb) AS rho,
        sum((mean_level - mean_all) ^ 2) / nullif(sum((xa - mean_all) ^ 2), 0) AS eta_squared,
        -- χ² = n·(Σ over cells of O² / (row total · column total) − 1); each trial of a cell
        -- adds O / (row · column), so the cell adds O² / (row · column)
        count(*) * (sum(cell / (row_total * col_total)) - 1) AS chi2
    FROM w
    GROUP BY experiment_id, attribute_a, attribute_b
),
measured AS (
    SELECT *,
        CASE WHEN n < 3 THEN NULL
             WHEN measure = 'spearman' THEN
                 CASE WHEN values_a > 1 AND values_b > 1 THEN rho END
             WHEN measure = 'correlation_ratio' THEN
                 CASE WHEN levels_b > 1 AND values_a > 1 AND n > levels_b
                      THEN sqrt(greatest(eta_squared, 0)) END
             ELSE CASE WHEN least(levels_a, levels_b) > 1
                       THEN sqrt(greatest(chi2, 0) / (n * (least(levels_a, levels_b) - 1))) END
        END AS value
    FROM agg
)
SELECT experiment_id, attribute_a, attribute_b, measure, value, n,
    abs(value) >= $threshold AS above_threshold
FROM measured
ORDER BY experiment_id, ord_a, ord_b;
