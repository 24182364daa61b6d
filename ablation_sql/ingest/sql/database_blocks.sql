-- name: database_blocks
-- The file of the connection's database (NULL for a database in memory), its block size and
-- the number of blocks it declares: a whole file holds a 12 KiB header and every block.
SELECT d.path, s.block_size, s.total_blocks
FROM duckdb_databases() d
JOIN pragma_database_size() s ON s.database_name = d.database_name
WHERE d.database_name = current_database();
