INSERT INTO ingests (started_at, finished_at, paths, experiments, trials_read, trials_unchanged,
                     trials_missing, metric_rows, errors)
VALUES ($started_at, $finished_at, $paths, $experiments, $trials_read, $trials_unchanged,
        $trials_missing, $metric_rows, $errors);
