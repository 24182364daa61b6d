-- name: version_get
-- The fingerprint of the view definitions the views were last built from, whether every view
-- and cache table of the SQL layer exists (macros are made in the same transaction as the
-- fingerprint; listing duckdb_functions() to check them would cost more than the rest), and
-- the fingerprint of the generated views' statements.
SELECT
    (SELECT max(value) FROM schema_info WHERE key = 'views_version') AS version,
    (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database()
        AND schema_name = 'main' AND view_name IN ('results', 'trial_attributes', 'trial_summary',
                                                   'trial_best', 'trial_ranking')) = 5
    AND (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
        AND schema_name = 'main' AND table_name = 'trial_best_cache') = 1 AS complete,
    (SELECT max(value) FROM schema_info WHERE key = 'generated_views') AS generated;
