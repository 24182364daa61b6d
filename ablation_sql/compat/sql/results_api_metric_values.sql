-- name: results_api_metric_values
-- Results API: the numbers of the included trials' metrics (names), one row per value: its row
-- in the frame (the included trials by trial_uid, each holding its n_steps rows in step
-- order), the metric's position k in names, and the value (NULL for NaN). Rows past a trial's
-- n_steps are left out. compat/results_frame.py places each value in its cell.
-- param experiment_id: str
-- param names: str[]
WITH included AS (
    SELECT t.trial_uid, t.n_steps,
        sum(t.n_steps) OVER (ORDER BY t.trial_uid ROWS UNBOUNDED PRECEDING) - t.n_steps
            AS first_row
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
),
keys AS (
    SELECT unnest($names) AS name, generate_subscripts($names, 1) - 1 AS k
)
SELECT CAST(i.first_row + m.step AS BIGINT) AS frame_row, CAST(keys.k AS BIGINT) AS k, m.value
FROM metrics m
JOIN keys ON keys.name = m.name
JOIN included i ON i.trial_uid = m.trial_uid
WHERE m.experiment_id = $experiment_id AND m.step >= 0 AND m.step < i.n_steps;
