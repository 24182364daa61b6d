-- name: source_status
-- A source other than ABLATOR records each trial's status itself: it is the status.
-- param experiment_id: str
-- param source: str
UPDATE trials SET status = inferred_status, status_source = $source
WHERE experiment_id = $experiment_id AND status IS DISTINCT FROM 'missing';
