-- name: results_api_experiments
-- Every experiment of the Results API's database (one ABLATOR folder: one), whose views are
-- refreshed as a whole when Results.db is first asked for.
SELECT e.experiment_id
FROM experiments e
ORDER BY e.experiment_id;
