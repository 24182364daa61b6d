-- name: effects_configurations
-- Each trial's configuration key and search space key (trial_configurations), with the
-- experiments sharing the search space of $experiment listed first by experiment_id.
-- param experiment: str
WITH c AS MATERIALIZED (  -- the view once, not again for the search space of $experiment
    SELECT experiment_id, trial_uid, configuration, search_space FROM trial_configurations
)
SELECT c.experiment_id, c.trial_uid, c.configuration, c.search_space
FROM c
WHERE c.search_space = (SELECT any_value(s.search_space) FROM c s
                        WHERE s.experiment_id = $experiment)
   OR c.experiment_id = $experiment
ORDER BY c.experiment_id, c.trial_uid
