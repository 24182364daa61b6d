-- name: report_experiments
-- The ingested experiments with their trial counts (the ingest summary).
-- param experiment_ids: str[]
SELECT e.experiment_id, e.path, e.search_algo, count(t.trial_uid) AS trials, e.source,
       e.config_source
FROM experiments e LEFT JOIN trials t USING (experiment_id)
WHERE list_contains($experiment_ids, e.experiment_id)
GROUP BY ALL
ORDER BY e.experiment_id;
