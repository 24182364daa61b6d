-- name: memory_limit
-- The most memory DuckDB keeps for its buffers (cached blocks of the file, hash tables, sorts)
-- on this connection, as DuckDB's size text (e.g. 512MB); set before the sandbox locks it.
-- param limit: str
SET memory_limit = $limit
