-- name: repeats_trials
-- One row per trial of $experiment (NULL: of every experiment): its configuration (seed
-- attributes: the comma-separated names $seed_attributes, NULL: names ending in "seed"), search
-- space, attributes and seed, its status, whether its results.json was whole, and $metric
-- reduced by trial_metric ($reduction, $k, $direction) with the direction used.
-- param metric: str
-- param reduction: str
-- param k: int
-- param direction: str
-- param experiment: str
-- param seed_attributes: str
SELECT c.experiment_id, c.trial_uid, c.configuration, c.search_space, c.attributes, c.seed,
    t.status, coalesce(t.results_complete, false) AS results_complete, tm.value, tm.direction
FROM trial_configuration(seed_attributes := string_split($seed_attributes, ',')) c
JOIN trials t ON t.experiment_id = c.experiment_id AND t.trial_uid = c.trial_uid
LEFT JOIN trial_metric($metric, reduction := $reduction, k := $k, direction := $direction,
                       experiment := $experiment) tm
    ON tm.experiment_id = c.experiment_id AND tm.trial_uid = c.trial_uid
WHERE $experiment IS NULL OR c.experiment_id = $experiment
ORDER BY c.configuration, c.experiment_id, c.trial_uid
