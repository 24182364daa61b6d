-- name: report_counts
-- Steps and metric rows of the ingested experiments (the ingest summary).
-- param experiment_ids: str[]
SELECT
    (SELECT coalesce(sum(n_steps), 0) FROM trials
     WHERE list_contains($experiment_ids, experiment_id)) AS steps,
    (SELECT count(*) FROM metrics
     WHERE list_contains($experiment_ids, experiment_id)) AS metric_rows;
