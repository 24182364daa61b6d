-- name: report_errors
-- The ingested experiments' problems, by path (the ingest summary).
-- param experiment_ids: str[]
SELECT path, error FROM ingest_errors
WHERE list_contains($experiment_ids, experiment_id)
ORDER BY path, error;
