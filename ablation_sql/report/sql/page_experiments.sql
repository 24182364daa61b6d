-- name: page_experiments
-- The experiments a report covers, in id order: where they are, how they were searched and how
-- many trials each has. $experiment NULL: every experiment.
-- param experiment: str   -- NULL: every experiment
SELECT e.experiment_id, e.path, e.search_algo, e.optim_metric_name, e.total_trials,
       e.random_seed, e.ingested_at, e.config_source,
       (SELECT count(*) FROM trials t WHERE t.experiment_id = e.experiment_id) AS trials
FROM experiments e
WHERE $experiment IS NULL OR e.experiment_id = $experiment
ORDER BY e.experiment_id
