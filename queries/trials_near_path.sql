-- name: trials_near_path
-- Per step of an ablation path, the k complete trials nearest its configuration, with their
-- value: which real trials support each step of a step-by-step ablation.
-- steps is a JSON array of configurations, step 0 first (objects of attribute name to value,
-- as Database.ablation's source, greedy steps and target). The distance of a trial to a step
-- is the mean over the attributes the step gives a value for and the trial has: for a
-- numerical attribute the absolute difference over the range the complete trials sampled (on
-- log10 when declared log), for a categorical or subspace one 0 for the same level, else 1.
-- Ties are broken by trial_uid; each trial's value is $metric reduced by trial_metric.
-- param metric: str = val_loss        -- the metric to show
-- param steps: str                     -- JSON array of configurations
-- param experiment: str = NULL         -- only this experiment (NULL: every experiment)
-- param k: int >= 1 = 3                -- trials per step
-- param reduction: str = best          -- best | last | mean_last | at_step | at_best
WITH step_values AS (
    SELECT s.step - 1 AS step, e.key AS attribute, TRY_CAST(e.value AS DOUBLE) AS x,
        e.value ->> '$' AS level
    FROM (SELECT unnest(CAST(json($steps) AS JSON[])) AS config,
                 generate_subscripts(CAST(json($steps) AS JSON[]), 1) AS step) s,
         json_each(s.config) e
    WHERE e.value::VARCHAR <> 'null'
),
levels AS (
    SELECT l.experiment_id, l.trial_uid, l.attribute, l.kind, l.level,
        CASE WHEN coalesce(sp.log, false) AND sp.low > 0 AND l.x > 0 THEN log10(l.x)
             ELSE l.x END AS u,
        coalesce(sp.log, false) AND sp.low > 0 AS logged
    FROM attribute_levels(bins := 0) l
    JOIN search_space sp ON sp.experiment_id = l.experiment_id AND sp.name = l.attribute
    JOIN trials t ON t.experiment_id = l.experiment_id AND t.trial_uid = l.trial_uid
    WHERE t.status = 'complete' AND ($experiment IS NULL OR l.experiment_id = $experiment)
      AND l.kind IN ('numerical', 'categorical', 'subspace') AND l.level IS NOT NULL
),
ranges AS (
    SELECT experiment_id, attribute, max(u) - min(u) AS span
    FROM levels GROUP BY experiment_id, attribute
),
scaled AS MATERIALIZED (  -- each trial's levels with their attribute's span, before the join with the steps
    SELECT l.experiment_id, l.trial_uid, l.attribute, l.kind, l.level, l.u, l.logged, r.span
    FROM levels l
    JOIN ranges r ON r.experiment_id = l.experiment_id AND r.attribute = l.attribute
),
distances AS (
    SELECT l.experiment_id, v.step, l.trial_uid,
        avg(CASE WHEN l.kind = 'numerical'
                 THEN abs(l.u - CASE WHEN l.logged AND v.x > 0 THEN log10(v.x) ELSE v.x END)
                      / nullif(l.span, 0)
                 ELSE (l.level IS DISTINCT FROM v.level)::DOUBLE END) AS distance
    FROM scaled l
    JOIN step_values v ON v.attribute = l.attribute
    GROUP BY l.experiment_id, v.step, l.trial_uid
),
nearest AS (  -- per step, the k smallest (distance NULLS LAST, trial_uid), in that order
    SELECT experiment_id, step,
        min_by({trial_uid: trial_uid, distance: distance},
               {missing: distance IS NULL, distance: coalesce(distance, 0),
                trial_uid: trial_uid}, $k) AS found
    FROM distances
    GROUP BY experiment_id, step
),
ranked AS (
    SELECT experiment_id, step, unnest(range(1, len(found) + 1)) AS position,
        unnest(found, recursive := true)
    FROM nearest
)
SELECT r.experiment_id, r.step, r.position, r.trial_uid, r.distance, tm.value
FROM ranked r
LEFT JOIN trial_metric($metric, reduction := $reduction, experiment := $experiment) tm
    ON tm.experiment_id = r.experiment_id AND tm.trial_uid = r.trial_uid
ORDER BY r.experiment_id, r.step, r.position
