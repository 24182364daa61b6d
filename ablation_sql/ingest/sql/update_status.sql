-- name: update_status
-- Status from the state db (trial_states: config_uid, status, state_code, runtime_errors) when
-- it names the trial unambiguously, otherwise what the files say; of the trials listed in
-- trial_uids only (NULL: every trial of the experiment).
-- param experiment_id: str
-- param trial_uids: str[] = NULL
UPDATE trials SET
    status = coalesce(s.status, trials.inferred_status),
    status_source = CASE WHEN s.status IS NULL THEN 'inferred' ELSE 'state_db' END,
    state_code = s.state_code,
    runtime_errors = s.runtime_errors
FROM (
    SELECT t.trial_uid, st.status, st.state_code, st.runtime_errors
    FROM trials t LEFT JOIN trial_states st ON st.config_uid = t.config_uid
    WHERE t.experiment_id = $experiment_id
        AND ($trial_uids IS NULL OR list_contains($trial_uids, t.trial_uid))
) s
WHERE trials.experiment_id = $experiment_id
  AND trials.trial_uid = s.trial_uid
  AND trials.status IS DISTINCT FROM 'missing';
