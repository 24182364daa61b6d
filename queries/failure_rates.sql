-- name: failure_rates
-- Per level of each attribute: trials, how many an effects analysis leaves out, and why.
-- A trial is left out for the first of: its status is not complete (nor unknown with a whole
-- results.json) — counted as failed, running or other_status; its reduced metric value is
-- NULL or NaN (null); ±inf (infinite); an attribute of the search space has no value (unset);
-- as ablation_sql.effects.load_trials decides. rate = n_left_out / n. Top-level numerical and
-- categorical attributes, numerical first, in declaration order; trials without a value of the
-- attribute are not counted for it. Levels: categorical values (declared order, then others
-- sorted); numerical attributes in quantile bins: between the quantiles 0, 1/bins, ..., 1
-- (linear interpolation; of log10 of the values for attributes declared log: true), equal
-- edges merged, '[low, high)' and the last '[low, high]'; an attribute with at most bins
-- distinct values has one level per value.
-- param metric: str = val_loss      -- the metric whose reduced value must be finite
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param bins: int >= 1 = 4        -- quantile bins of numerical attributes
-- param reduction: str = best       -- best | last | mean_last | at_step | at_best
-- param last_k: int >= 1 = 5       -- mean_last: how many last values
-- param at_step: int >= 0 = NULL   -- at_step: the step
-- param by_metric: str = NULL       -- at_best: the metric whose best step is used
-- param direction: str = NULL       -- min | max (NULL: from optim_metrics)
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
vals AS (
    SELECT * FROM present WHERE kind = 'categorical' OR isfinite(x)
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
        END AS reason
    FROM trials t
    LEFT JOIN trial_metric($metric, reduction := $reduction, k := $last_k, at_step := $at_step,
                           by_metric := $by_metric, direction := $direction,
                           experiment := $experiment) r
        ON r.experiment_id = t.experiment_id AND r.trial_uid = t.trial_uid
    LEFT JOIN unset u ON u.experiment_id = t.experiment_id AND u.trial_uid = t.trial_uid
    WHERE $experiment IS NULL OR t.experiment_id = $experiment
),
scaled AS (
    SELECT v.*,
        v.kind = 'numerical' AND v.log
            AND min(v.x) OVER (PARTITION BY v.experiment_id, v.attribute) > 0 AS logged,
        CASE WHEN logged THEN log10(v.x) ELSE v.x END AS t
    FROM vals v
),
edges AS (
    SELECT experiment_id, attribute, any_value(logged) AS logged,
        count(DISTINCT t) AS distinct_values,
        list_sort(list(t)) AS sorted
    FROM scaled
    WHERE kind = 'numerical'
    GROUP BY experiment_id, attribute
),
quantiles AS (
    SELECT experiment_id, attribute, logged, distinct_values,
        list_sort(list_distinct(list_transform(range(0, $bins + 1), lambda i:
            sorted[floor(i * (len(sorted) - 1) / $bins)::BIGINT + 1]
            + (i * (len(sorted) - 1) / $bins - floor(i * (len(sorted) - 1) / $bins))
              * (sorted[least(floor(i * (len(sorted) - 1) / $bins)::BIGINT + 2, len(sorted))]
                 - sorted[floor(i * (len(sorted) - 1) / $bins)::BIGINT + 1])))) AS e
    FROM edges
),
binned AS (
    SELECT s.*, q.distinct_values, q.e,
        len(list_filter(q.e[2:len(q.e) - 1], lambda c: c <= s.t)) AS bin
    FROM scaled s
    LEFT JOIN quantiles q ON q.experiment_id = s.experiment_id AND q.attribute = s.attribute
),
leveled AS (
    SELECT experiment_id, trial_uid, attribute, ord,
        CASE WHEN kind = 'categorical' THEN level
             WHEN distinct_values <= $bins
                 THEN printf('%.4g', CASE WHEN logged THEN pow(10, t) ELSE t END)
             ELSE printf('[%s, %s%s',
                 printf('%.4g', CASE WHEN logged THEN pow(10, e[bin + 1]) ELSE e[bin + 1] END),
                 printf('%.4g', CASE WHEN logged THEN pow(10, e[bin + 2]) ELSE e[bin + 2] END),
                 CASE WHEN bin = len(e) - 2 THEN ']' ELSE ')' END) END AS level,
        CASE WHEN kind = 'categorical' THEN
                 coalesce(list_position(json_extract_string(categories, '$[*]'), level),
                          1000000)
             WHEN distinct_values <= $bins THEN t
             ELSE bin END AS level_order
    FROM binned
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
        AS other_status
FROM leveled l
JOIN trial_reason r ON r.experiment_id = l.experiment_id AND r.trial_uid = l.trial_uid
GROUP BY l.experiment_id, l.attribute, l.level
ORDER BY l.experiment_id, any_value(l.ord), min(l.level_order), l.level;
