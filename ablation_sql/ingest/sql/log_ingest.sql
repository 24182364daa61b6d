-- name: log_ingest
-- One row of the ingests log: when, what was read and how much.
-- param started_at: timestamp
-- param finished_at: timestamp
-- param paths: str   -- JSON text
-- param experiments: int
-- param trials_read: int
-- param trials_unchanged: int
-- param trials_missing: int
-- param metric_rows: int
-- param errors: int
INSERT INTO ingests (started_at, finished_at, paths, experiments, trials_read, trials_unchanged,
                     trials_missing, metric_rows, errors)
VALUES ($started_at, $finished_at, $paths, $experiments, $trials_read, $trials_unchanged,
        $trials_missing, $metric_rows, $errors);
