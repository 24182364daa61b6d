-- name: failure_rates
-- Per level of each attribute: trials, how many an effects analysis leaves out, and why.
-- A trial is left out for the first of: its status is not complete (nor unknown with a whole
-- results.json) — counted as failed, running or other_status; its reduced metric value is
-- NULL or NaN (null); ±inf (infinite); an attribute of the search space has no value (unset);
-- as ablation_sql.effects.load_trials decides. rate = n_left_out / n. Top-level numerical and
-- categorical attributes, numerical first, in declaration order; trials without a value of the
-- attribute are not counted for it. Levels: categorical values (declared order, then others
-- sorted); numerical attributes in quantile bins as attribute_quantile_levels makes them
-- (between the quantiles 0, 1/bins, ..., 1; one level per value when there are at most bins).
-- failure_reasons: the distinct exception lines that end the failed trials' train.log
-- (trials.failure_reason), '; '-separated (NULL: none known).
-- param metric: str = val_loss      -- the metric whose reduced value must be finite
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param bins: int >= 1 = 4        -- quantile bins of numerical attributes
-- include: reduction
WITH attrs AS (
    SELECT s.experiment_id, s.name AS attribute, s.kind, coalesce(s.log, false) AS log,
        s.categories,
        row_number() OVER (PARTITION BY s.experiment_id
                           ORDER BY s.kind = 'categorical', s.rowid) AS ord
    FROM search_space s
    WHERE s.parent IS NULL AND s.kind IN ('numerical', 'categorical')
      AND ($experiment IS NULL OR s.experiment_id = $experiment)
),
present AS (
    SELECT l.experiment_id, l.trial_uid, a.attribute, a.kind, a.log, a.ord, a.categories,
        l.level, CASE WHEN a.kind = 'numerical' THEN l.x END AS x
    FROM attribute_levels(bins := 0) l
    JOIN attrs a ON a.experiment_id = l.experiment_id AND a.attribute = l.attribute
    WHERE l.level IS NOT NULL AND (a.kind = 'categorical' OR l.x IS NOT NULL)
),
unset AS (
    SELECT t.experiment_id, t.trial_uid
    FROM trials t
    JOIN attrs a ON a.experiment_id = t.experiment_id
    LEFT JOIN present p ON p.experiment_id = t.experiment_id AND p.trial_uid = t.trial_uid
        AND p.attribute = a.attribute
    WHERE p.trial_uid IS NULL
    GROUP BY t.experiment_id, t.trial_uid
),
trial_reason AS (
    SELECT t.experiment_id, t.trial_uid,
        CASE WHEN NOT (coalesce(t.status, 'unknown') = 'complete'
                       OR (coalesce(t.status, 'unknown') = 'unknown'
                           AND coalesce(t.results_complete, false)))
                 THEN coalesce(t.status, 'unknown')
             WHEN r.value IS NULL OR isnan(r.value) THEN 'null'
             WHEN isinf(r.value) THEN 'infinite'
             WHEN u.trial_uid IS NOT NULL THEN 'unset'
        END AS reason,
        t.failure_reason
    FROM trials t
    LEFT JOIN trial_metric($metric, reduction := $reduction, k := $last_k, at_step := $at_step,
                           by_metric := $by_metric, direction := $direction,
                           experiment := $experiment) r
        ON r.experiment_id = t.experiment_id AND r.trial_uid = t.trial_uid
    LEFT JOIN unset u ON u.experiment_id = t.experiment_id AND u.trial_uid = t.trial_uid
    WHERE $experiment IS NULL OR t.experiment_id = $experiment
),
leveled AS (
    SELECT q.experiment_id, q.trial_uid, q.attribute, a.ord, q.level, q.level_order
    FROM attribute_quantile_levels(bins := $bins) q
    JOIN attrs a ON a.experiment_id = q.experiment_id AND a.attribute = q.attribute
)
SELECT l.experiment_id, l.attribute, l.level,
    count(*) AS n,
    count(r.reason) AS n_left_out,
    count(r.reason) / count(*) AS rate,
    count(*) FILTER (WHERE r.reason = 'failed') AS failed,
    count(*) FILTER (WHERE r.reason = 'running') AS running,
    count(*) FILTER (WHERE r.reason = 'null') AS "null",
    count(*) FILTER (WHERE r.reason = 'infinite') AS infinite,
    count(*) FILTER (WHERE r.reason = 'unset') AS unset,
    count(*) FILTER (WHERE r.reason NOT IN ('failed', 'running', 'null', 'infinite', 'unset'))
        AS other_status,
    string_agg(DISTINCT r.failure_reason, '; ' ORDER BY r.failure_reason)
        FILTER (WHERE r.reason = 'failed') AS failure_reasons
FROM leveled l
JOIN trial_reason r ON r.experiment_id = l.experiment_id AND r.trial_uid = l.trial_uid
GROUP BY l.experiment_id, l.attribute, l.level
ORDER BY l.experiment_id, any_value(l.ord), min(l.level_order), l.level;
