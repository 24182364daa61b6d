-- name: report_status
-- Trials of the ingested experiments by status (the ingest summary).
-- param experiment_ids: str[]
SELECT status, count(*) AS trials
FROM trials
WHERE list_contains($experiment_ids, experiment_id)
GROUP BY status
ORDER BY trials DESC, status;
