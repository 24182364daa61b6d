-- name: database_blocks
-- The file of the connection's database (NULL for a database in memory), its block size and
-- the number of blocks in use: a whole file holds a 12 KiB header and at least those blocks
-- (free blocks at its end are cut off the file, so total_blocks may exceed what it holds).
SELECT d.path, s.block_size, s.used_blocks
FROM duckdb_databases() d
JOIN pragma_database_size() s ON s.database_name = d.database_name
WHERE d.database_name = current_database();
