SELECT path, error FROM ingest_errors
WHERE list_contains($experiment_ids, experiment_id)
ORDER BY path, error;
