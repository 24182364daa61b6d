-- name: effects_experiments
-- effects: every experiment with its search algorithm and master config (JSON text), by id.
SELECT experiment_id, search_algo, master_config::VARCHAR AS master_config
FROM experiments
ORDER BY experiment_id
