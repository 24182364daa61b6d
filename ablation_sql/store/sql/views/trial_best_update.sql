-- name: trial_best_update
-- Replace the trial_best_cache rows of one experiment's changed trials (trial_uids; NULL: every
-- trial of the experiment) by trial_best_rows of them: the rows a whole rebuild
-- (trial_best_cache.sql) would hold for them.
-- param experiment_id: str
-- param trial_uids: str[] = NULL
-- script
DELETE FROM trial_best_cache
WHERE experiment_id = $experiment_id
    AND ($trial_uids IS NULL OR list_contains($trial_uids, trial_uid));

INSERT INTO trial_best_cache
SELECT *
FROM trial_best_rows(experiment := $experiment_id, trial_uids := $trial_uids)
ORDER BY metric, trial_uid;
