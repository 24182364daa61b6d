-- name: results_api_list_values
-- Results API: the distinct values of list-valued config keys of the included trials, with how
-- many trials hold each (ABLATOR expands lists into .0, .1, ... columns).
-- param experiment_id: str
WITH included AS (
    SELECT t.trial_uid
    FROM trials t
    WHERE t.experiment_id = $experiment_id AND t.n_steps > 0 AND t.config IS NOT NULL
)
SELECT p.name, p.value, count(*) AS n_trials
FROM params p
JOIN included i ON i.trial_uid = p.trial_uid
WHERE p.experiment_id = $experiment_id AND p.value_type = 'list'
GROUP BY p.name, p.value
ORDER BY min(p.trial_uid), p.name;
