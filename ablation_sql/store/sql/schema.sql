-- name: schema
-- The ablation_sql database schema. These names are a public contract: add, never rename.
-- Keys are maintained by the ingest (no constraints, so a trial can be replaced in one
-- transaction): experiments(experiment_id); trials(experiment_id, trial_uid);
-- params(experiment_id, trial_uid, name); metrics(experiment_id, trial_uid, step, name).
-- script

CREATE TABLE IF NOT EXISTS schema_info (
    key VARCHAR,
    value VARCHAR
);

-- One row per experiment folder.
CREATE TABLE IF NOT EXISTS experiments (
    experiment_id VARCHAR,          -- the folder's name, made unique within the database
    path VARCHAR,                   -- absolute path of the experiment folder
    search_algo VARCHAR,            -- random | tpe | grid (from master_config.yaml)
    optim_metric_name VARCHAR,
    total_trials INTEGER,
    master_config JSON,
    ingested_at TIMESTAMP,          -- last ingest that changed this experiment's rows
    config_source VARCHAR,          -- master_config.yaml, or the trial config used when it is missing
    ablator_experiment_id VARCHAR,  -- master_config.yaml's own experiment_id
    random_seed BIGINT,
    master_fingerprint VARCHAR,     -- size and mtime of master_config.yaml
    state_fingerprint VARCHAR,      -- size and mtime of the state dbs
    source VARCHAR                  -- ablator | optuna | ray | mlflow
);
-- Schema 2 databases lack the source column: added in place, their experiments are ABLATOR's.
ALTER TABLE experiments ADD COLUMN IF NOT EXISTS source VARCHAR;
UPDATE experiments SET source = 'ablator' WHERE source IS NULL;

-- One row per trial folder.
CREATE TABLE IF NOT EXISTS trials (
    experiment_id VARCHAR,
    trial_uid VARCHAR,              -- the trial folder's name
    path VARCHAR,
    status VARCHAR,                 -- complete | running | failed | pruned | waiting | unknown | missing
    status_source VARCHAR,          -- state_db (decoded from <id>_state.db) | inferred (from the files) | the source (optuna, ray, mlflow) that recorded it
    state_code INTEGER,             -- ABLATOR's TrialState integer when decoded from the state db
    inferred_status VARCHAR,        -- what the files alone say
    n_steps INTEGER,                -- complete rows in results.json
    results_complete BOOLEAN,       -- results.json was whole (not cut mid-write)
    config JSON,                    -- the whole config.yaml
    config_uid VARCHAR,             -- first two groups of trial_uid, as ABLATOR's state db keys it
    metadata JSON,                  -- metadata.json
    runtime_errors INTEGER,         -- from the state db
    fingerprint VARCHAR,            -- size and mtime of the files read
    ingested_at TIMESTAMP,
    failure_reason VARCHAR          -- the exception line ending train.log's traceback, if any
);
-- Schema 1 databases lack the columns added since: added in place (a no-op on newer ones).
ALTER TABLE trials ADD COLUMN IF NOT EXISTS failure_reason VARCHAR;

-- One row per flattened config key (dotted names); subspace attributes also keep their mapping.
CREATE TABLE IF NOT EXISTS params (
    experiment_id VARCHAR,
    trial_uid VARCHAR,
    name VARCHAR,
    value JSON,
    value_double DOUBLE,            -- set for int and float values
    value_text VARCHAR,             -- set for string values
    value_type VARCHAR              -- int | float | bool | str | null | list | map
);

-- One row per number in results.json. step is the row's 0-based position; NaN is NULL.
CREATE TABLE IF NOT EXISTS metrics (
    experiment_id VARCHAR,
    trial_uid VARCHAR,
    step INTEGER,
    name VARCHAR,
    value DOUBLE
);

-- results.json values that are not numbers (strings, booleans, lists, objects).
CREATE TABLE IF NOT EXISTS metrics_other (
    experiment_id VARCHAR,
    trial_uid VARCHAR,
    step INTEGER,
    name VARCHAR,
    value JSON
);

-- The declared search space, one row per attribute (nested subspace attributes have a parent).
CREATE TABLE IF NOT EXISTS search_space (
    experiment_id VARCHAR,
    name VARCHAR,
    kind VARCHAR,                   -- numerical | categorical | subspace
    value_type VARCHAR,             -- int | float | NULL
    low DOUBLE,
    high DOUBLE,
    log BOOLEAN,
    categories JSON,                -- categorical values, or the subspaces' configurations
    n_bins INTEGER,
    parent VARCHAR,                 -- the subspace attribute a nested attribute belongs to
    spec JSON                       -- the declaration as written
);

CREATE TABLE IF NOT EXISTS optim_metrics (
    experiment_id VARCHAR,
    metric VARCHAR,
    direction VARCHAR               -- min | max
);

-- Every file that could not be read in full, with the reason.
CREATE TABLE IF NOT EXISTS ingest_errors (
    experiment_id VARCHAR,
    trial_uid VARCHAR,              -- NULL for experiment-level files
    path VARCHAR,
    error VARCHAR,
    seen_at TIMESTAMP
);

-- One row per ingest run.
CREATE TABLE IF NOT EXISTS ingests (
    started_at TIMESTAMP,
    finished_at TIMESTAMP,
    paths JSON,
    experiments INTEGER,
    trials_read INTEGER,
    trials_unchanged INTEGER,
    trials_missing INTEGER,
    metric_rows BIGINT,
    errors INTEGER
);
