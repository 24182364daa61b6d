-- name: database_path
-- The file of the connection's database (NULL for a database in memory).
SELECT d.path
FROM duckdb_databases() d
WHERE d.database_name = current_database();
