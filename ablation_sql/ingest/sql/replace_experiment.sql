-- name: replace_experiment
-- The experiment's own rows, re-read when master_config.yaml changed (or on a full ingest).
-- param experiment_id: str
-- param master_path: str
-- param path: str
-- param search_algo: str
-- param optim_metric_name: str
-- param total_trials: int
-- param master_config: str   -- JSON text
-- param now: timestamp
-- param config_source: str
-- param ablator_experiment_id: str
-- param random_seed: int
-- param master_fingerprint: str
-- param source: str   -- ablator, optuna, ray or mlflow
-- script
DELETE FROM experiments WHERE experiment_id = $experiment_id;
DELETE FROM search_space WHERE experiment_id = $experiment_id;
DELETE FROM optim_metrics WHERE experiment_id = $experiment_id;
DELETE FROM ingest_errors WHERE experiment_id = $experiment_id AND trial_uid IS NULL
    AND path = $master_path;
INSERT INTO experiments (experiment_id, path, search_algo, optim_metric_name, total_trials,
                         master_config, ingested_at, config_source, ablator_experiment_id,
                         random_seed, master_fingerprint, source)
VALUES ($experiment_id, $path, $search_algo, $optim_metric_name, $total_trials,
        $master_config, $now, $config_source, $ablator_experiment_id, $random_seed,
        $master_fingerprint, $source);
