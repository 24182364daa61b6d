-- name: trial_best
-- trial_best: for every trial and every metric in its experiment's optim_metrics, the best value
-- by direction and the last value, each with its step (read from trial_best_cache, see
-- trial_best_cache.sql for the rules).
CREATE OR REPLACE VIEW trial_best AS
SELECT experiment_id, trial_uid, metric, direction, best_value, best_step, last_value, last_step
FROM trial_best_cache;
