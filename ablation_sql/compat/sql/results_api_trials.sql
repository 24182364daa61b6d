-- name: results_api_trials
-- Results API: every trial of the experiment, its status, and whether its rows are in the frame
-- (at least one complete results.json row and a readable config.yaml).
-- param experiment_id: str
SELECT t.trial_uid, t.status, t.n_steps,
    coalesce(t.n_steps > 0 AND t.config IS NOT NULL, false) AS included
FROM trials t
WHERE t.experiment_id = $experiment_id
ORDER BY t.trial_uid;
