-- name: trial_status
-- Trials by status per experiment, and the failure rate per attribute level.
-- The row with attribute NULL is the experiment's total; then one row per level of each
-- search-space attribute (levels as in attribute_levels, or attribute_quantile_levels with
-- binning quantile). failure_rate = failed / (complete + failed + pruned), the share of the
-- trials that ended which failed (NULL when none ended).
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param bins: int >= 0 = 4        -- numerical attributes: how many bins (0: every value)
-- param binning: str = width        -- width (of the declared range) | quantile (as failure_rates)
WITH t AS (
    SELECT experiment_id, trial_uid, status
    FROM trials
    WHERE $experiment IS NULL OR experiment_id = $experiment
),
grouped AS (
    SELECT t.experiment_id, NULL::VARCHAR AS attribute, NULL::VARCHAR AS level,
        NULL::DOUBLE AS level_order, t.status
    FROM t
    UNION ALL
    SELECT t.experiment_id, l.attribute, l.level, l.level_order, t.status
    FROM t
    JOIN (SELECT * FROM attribute_levels(bins := $bins)
          WHERE coalesce($binning, 'width') = 'width' OR coalesce($bins, 0) = 0
          UNION ALL
          SELECT * FROM attribute_quantile_levels(bins := $bins)
          WHERE $binning = 'quantile' AND $bins > 0) l
        ON l.experiment_id = t.experiment_id AND l.trial_uid = t.trial_uid
),
counts AS (
    SELECT experiment_id, attribute, level, any_value(level_order) AS level_order,
        count(*) AS trials,
        count(*) FILTER (WHERE status = 'complete') AS complete,
        count(*) FILTER (WHERE status = 'failed') AS failed,
        count(*) FILTER (WHERE status = 'running') AS running,
        count(*) FILTER (WHERE status = 'pruned') AS pruned,
        count(*) FILTER (WHERE status = 'waiting') AS waiting,
        count(*) FILTER (WHERE status = 'unknown') AS unknown,
        count(*) FILTER (WHERE status = 'missing') AS missing
    FROM grouped
    GROUP BY experiment_id, attribute, level
)
SELECT experiment_id, attribute, level, trials, complete, failed, running, pruned, waiting,
    unknown, missing,
    failed / nullif(complete + failed + pruned, 0) AS failure_rate
FROM counts
ORDER BY experiment_id, attribute NULLS FIRST, level_order NULLS LAST, level NULLS LAST;
