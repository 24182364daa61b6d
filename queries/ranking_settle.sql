-- name: ranking_settle
-- Per epoch (step): how close the trials' ranking then is to their final ranking.
-- For each experiment and step where every used trial (complete, with a finite final value)
-- has a value: n, the rank correlation (Spearman's rho with average ranks, or Kendall's tau-b,
-- which compares every pair of trials: quadratic in their number) between the ranking by the
-- value reduced up to that step (best so far, last, or mean of the last last_k) and the final
-- ranking by trial_metric with the same reduction; how many of the final top_k are in the
-- top_k then (ties broken by trial_uid) and top_k_loss, how much worse the final values of
-- the top_k then are on average than those of the final top_k; whether the leader then is the
-- final winner and winner_loss, how much worse the leader's final value is than the winner's
-- (losses in the metric's units, 0 when the same trials lead). noise: the experiment's
-- per-evaluation noise, the median absolute third difference of the trials' successive raw
-- values over its normal-theory value 0.6745 * sqrt(20) (NULL under 4 steps).
-- param metric: str                 -- the metric to rank by
-- param experiment: str = NULL      -- only this experiment (NULL: every experiment)
-- param reduction: str = best       -- best | last | mean_last
-- param last_k: int >= 1 = 5        -- mean_last: how many last values
-- param top_k: int >= 1 = 5         -- the size of the top set
-- param direction: str = NULL       -- min | max (NULL: from optim_metrics)
-- param method: str = spearman      -- spearman | kendall
WITH final AS (
    SELECT f.experiment_id, f.trial_uid, f.value,
        needed_direction(f.direction, f.metric, f.experiment_id) AS direction
    FROM trial_metric($metric, reduction := $reduction, k := $last_k, direction := $direction,
                      experiment := $experiment) f
    JOIN trials t ON t.experiment_id = f.experiment_id AND t.trial_uid = f.trial_uid
    WHERE t.status = 'complete' AND f.value IS NOT NULL AND isfinite(f.value)
      AND lower($reduction) IN ('best', 'last', 'mean_last')
      AND lower($method) IN ('spearman', 'kendall')
),
-- the experiments numbered in the order of their ids, with their count of trials
experiments AS (
    SELECT f.experiment_id, row_number() OVER (ORDER BY f.experiment_id)::INTEGER AS eid,
        count(*) AS trials
    FROM final f
    GROUP BY f.experiment_id
),
-- the trials numbered (in the order of their ids), so that the work below sorts numbers, not
-- text; each trial's key (ascending = better)
final_numbered AS (
    SELECT f.experiment_id, f.trial_uid, f.direction, e.eid,
        row_number() OVER (ORDER BY f.experiment_id, f.trial_uid)::INTEGER AS tid,
        CASE WHEN f.direction = 'max' THEN f.value ELSE -f.value END AS better,
        order_key(f.value, f.direction) AS key
    FROM final f
    JOIN experiments e ON e.experiment_id = f.experiment_id
),
-- each trial's final place (ties by trial id) and average rank (the mean of the first and
-- last place of its ties)
final_ranked AS (
    SELECT f.experiment_id, f.trial_uid, f.direction, f.eid, f.tid, f.better,
        row_number() OVER (PARTITION BY f.eid ORDER BY f.key, f.tid) AS place,
        (rank() OVER p + count(*) OVER p) / 2.0 AS avg_rank
    FROM final_numbered f
    WINDOW p AS (PARTITION BY f.eid ORDER BY f.key)
),
-- per trial and step: the value reduced up to the step as a key, ascending = better (best
-- so far: the running minimum of the key), and the third difference of the raw values
running AS (
    SELECT f.eid, f.tid, m.step,
        CASE lower($reduction)
            WHEN 'best' THEN min(order_key(m.value, f.direction)) OVER w
            WHEN 'last' THEN order_key(m.value, f.direction)
            ELSE avg(order_key(m.value, f.direction)) OVER (
                PARTITION BY f.tid ORDER BY m.step ROWS BETWEEN $last_k - 1 PRECEDING
                AND CURRENT ROW)
        END AS key,
        lead(m.value, 3) OVER w - 3 * lead(m.value, 2) OVER w + 3 * lead(m.value, 1) OVER w
            - m.value AS third
    FROM metrics m
    JOIN final_ranked f ON f.experiment_id = m.experiment_id AND f.trial_uid = m.trial_uid
    WHERE m.name = $metric AND m.value IS NOT NULL AND isfinite(m.value)
    WINDOW w AS (PARTITION BY f.tid ORDER BY m.step ROWS UNBOUNDED PRECEDING)
),
noise AS (
    SELECT r.eid, median(abs(r.third)) / (0.6744897501960817 * sqrt(20)) AS noise
    FROM running r
    WHERE r.third IS NOT NULL
    GROUP BY r.eid
),
-- each step sorted once by key: the average rank of a trial is the mean of the first (rank)
-- and last (count of keys up to its own) place of its ties
ranked AS (
    SELECT k.eid, k.tid, k.step, k.key, f.place AS final_place, f.avg_rank AS final_rank,
        f.better AS final_better, k.first, k.last
    FROM (SELECT r.eid, r.tid, r.step, r.key, rank() OVER s AS first, count(*) OVER s AS last
          FROM running r
          WINDOW s AS (PARTITION BY r.eid, r.step ORDER BY r.key)) k
    JOIN final_ranked f ON f.tid = k.tid
),
-- per step: the correlation, and the trials whose first place is within the top k, sorted by
-- key then trial: the top k (ties by trial id) are the first k of them
per_step AS (
    SELECT k.eid, k.step, count(*) AS n,
        corr((k.first + k.last) / 2.0, k.final_rank) AS spearman,
        avg(k.final_better) FILTER (WHERE k.final_place <= $top_k) AS final_top_k,
        max(k.final_better) AS final_best,
        list_sort(list(struct_pack(key := k.key, tid := k.tid, final_place := k.final_place,
                                   final_better := k.final_better))
                  FILTER (WHERE k.first <= $top_k))[1:$top_k] AS top
    FROM ranked k
    GROUP BY k.eid, k.step
),
-- the steps where every trial has a value
complete_steps AS (
    SELECT s.*
    FROM per_step s
    JOIN experiments e ON e.eid = s.eid
    WHERE s.n = e.trials
),
-- Kendall's tau: every pair of trials at a step (quadratic; only when asked for)
kendall_ranked AS (
    SELECT r.eid, r.tid, r.step, f.avg_rank AS final_rank,
        (rank() OVER s + count(*) OVER s) / 2.0 AS avg_rank
    FROM running r
    JOIN complete_steps c ON c.eid = r.eid AND c.step = r.step
    JOIN final_ranked f ON f.tid = r.tid
    WHERE lower($method) = 'kendall'
    WINDOW s AS (PARTITION BY r.eid, r.step ORDER BY r.key)
),
kendall AS (
    SELECT a.eid, a.step,
        sum(sign(a.avg_rank - b.avg_rank) * sign(a.final_rank - b.final_rank))
            / sqrt((count(*) - count(*) FILTER (WHERE a.avg_rank = b.avg_rank))
                   * (count(*) - count(*) FILTER (WHERE a.final_rank = b.final_rank)))
            AS tau
    FROM kendall_ranked a
    JOIN kendall_ranked b ON b.eid = a.eid AND b.step = a.step AND b.tid > a.tid
    GROUP BY a.eid, a.step
)
SELECT e.experiment_id, s.step, s.n,
    CASE lower($method) WHEN 'kendall' THEN k.tau ELSE s.spearman END AS correlation,
    len(list_filter(s.top, lambda t: t.final_place <= $top_k)) AS top_k_kept,
    least($top_k, s.n) AS top_k,
    s.final_top_k - list_avg(list_transform(s.top, lambda t: t.final_better)) AS top_k_loss,
    s.top[1].final_place = 1 AS winner_leads,
    s.final_best - s.top[1].final_better AS winner_loss, z.noise
FROM complete_steps s
JOIN experiments e ON e.eid = s.eid
LEFT JOIN kendall k ON k.eid = s.eid AND k.step = s.step
LEFT JOIN noise z ON z.eid = s.eid
ORDER BY e.experiment_id, s.step
