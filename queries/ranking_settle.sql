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
final_ranked AS (
    SELECT f.*,
        CASE WHEN f.direction = 'max' THEN f.value ELSE -f.value END AS better,
        row_number() OVER (PARTITION BY f.experiment_id
                           ORDER BY order_key(f.value, f.direction), f.trial_uid) AS place,
        rank() OVER (PARTITION BY f.experiment_id ORDER BY order_key(f.value, f.direction))
            + (count(*) OVER (PARTITION BY f.experiment_id, f.value) - 1) / 2.0 AS avg_rank
    FROM final f
),
running AS (
    SELECT m.experiment_id, m.trial_uid, m.step, f.direction, m.value AS raw,
        CASE lower($reduction)
            WHEN 'best' THEN CASE WHEN f.direction = 'max'
                                  THEN max(m.value) OVER w ELSE min(m.value) OVER w END
            WHEN 'last' THEN m.value
            ELSE avg(m.value) OVER (PARTITION BY m.experiment_id, m.trial_uid ORDER BY m.step
                                    ROWS BETWEEN $last_k - 1 PRECEDING AND CURRENT ROW)
        END AS value
    FROM metrics m
    JOIN final f ON f.experiment_id = m.experiment_id AND f.trial_uid = m.trial_uid
    WHERE m.name = $metric AND m.value IS NOT NULL AND isfinite(m.value)
    WINDOW w AS (PARTITION BY m.experiment_id, m.trial_uid ORDER BY m.step
                 ROWS UNBOUNDED PRECEDING)
),
noise AS (
    SELECT d.experiment_id, median(abs(d.third)) / (0.6744897501960817 * sqrt(20)) AS noise
    FROM (SELECT r.experiment_id,
              lead(r.raw, 3) OVER w - 3 * lead(r.raw, 2) OVER w + 3 * lead(r.raw, 1) OVER w
                  - r.raw AS third
          FROM running r
          WINDOW w AS (PARTITION BY r.experiment_id, r.trial_uid ORDER BY r.step)) d
    WHERE d.third IS NOT NULL
    GROUP BY d.experiment_id
),
complete_steps AS (
    SELECT r.experiment_id, r.step
    FROM running r
    GROUP BY r.experiment_id, r.step
    HAVING count(*) = (SELECT count(*) FROM final f WHERE f.experiment_id = r.experiment_id)
),
paired AS (
    SELECT r.experiment_id, r.trial_uid, r.step, f.place AS final_place,
        f.avg_rank AS final_rank, f.better AS final_better,
        row_number() OVER (PARTITION BY r.experiment_id, r.step
                           ORDER BY order_key(r.value, r.direction), r.trial_uid) AS place,
        rank() OVER (PARTITION BY r.experiment_id, r.step
                     ORDER BY order_key(r.value, r.direction))
            + (count(*) OVER (PARTITION BY r.experiment_id, r.step, r.value) - 1) / 2.0
            AS avg_rank
    FROM running r
    JOIN complete_steps c ON c.experiment_id = r.experiment_id AND c.step = r.step
    JOIN final_ranked f ON f.experiment_id = r.experiment_id AND f.trial_uid = r.trial_uid
),
kendall AS (
    SELECT a.experiment_id, a.step,
        sum(sign(a.avg_rank - b.avg_rank) * sign(a.final_rank - b.final_rank))
            / sqrt((count(*) - count(*) FILTER (WHERE a.avg_rank = b.avg_rank))
                   * (count(*) - count(*) FILTER (WHERE a.final_rank = b.final_rank)))
            AS tau
    FROM paired a
    JOIN paired b ON b.experiment_id = a.experiment_id AND b.step = a.step
        AND b.trial_uid > a.trial_uid
    WHERE lower($method) = 'kendall'
    GROUP BY a.experiment_id, a.step
),
per_step AS (
    SELECT p.experiment_id, p.step, count(*) AS n,
        corr(p.avg_rank, p.final_rank) AS spearman,
        count(*) FILTER (WHERE p.place <= $top_k AND p.final_place <= $top_k) AS top_k_kept,
        least($top_k, count(*)) AS top_k,
        avg(p.final_better) FILTER (WHERE p.final_place <= $top_k)
            - avg(p.final_better) FILTER (WHERE p.place <= $top_k) AS top_k_loss,
        bool_or(p.place = 1 AND p.final_place = 1) AS winner_leads,
        max(p.final_better) - max(p.final_better) FILTER (WHERE p.place = 1) AS winner_loss
    FROM paired p
    GROUP BY p.experiment_id, p.step
)
SELECT s.experiment_id, s.step, s.n,
    CASE lower($method) WHEN 'kendall' THEN k.tau ELSE s.spearman END AS correlation,
    s.top_k_kept, s.top_k, s.top_k_loss, s.winner_leads, s.winner_loss, z.noise
FROM per_step s
LEFT JOIN kendall k ON k.experiment_id = s.experiment_id AND k.step = s.step
LEFT JOIN noise z ON z.experiment_id = s.experiment_id
ORDER BY s.experiment_id, s.step
