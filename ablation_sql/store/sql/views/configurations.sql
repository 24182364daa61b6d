-- name: configurations
-- One row per configuration (trials equal but for their seed attributes, see
-- trial_configuration): its key, search space, attributes, trial counts (all, complete), the
-- number of distinct seeds and their values, and the experiments it was run in. (Static view.)
CREATE OR REPLACE VIEW configurations AS
SELECT c.configuration, any_value(c.search_space) AS search_space,
    min(c.attributes) AS attributes,
    count(*) AS trials,
    count(*) FILTER (WHERE t.status = 'complete') AS complete,
    count(DISTINCT c.seed) AS seeds,
    list(DISTINCT c.seed ORDER BY c.seed) FILTER (WHERE c.seed IS NOT NULL) AS seed_values,
    count(DISTINCT c.experiment_id) AS experiments,
    list(DISTINCT c.experiment_id ORDER BY c.experiment_id) AS experiment_ids,
    min(c.trial_uid) AS first_trial
FROM trial_configurations c
JOIN trials t ON t.experiment_id = c.experiment_id AND t.trial_uid = c.trial_uid
GROUP BY c.configuration;
