-- name: memory_limit
-- Set DuckDB's memory cap (a size such as 384MB).
-- param memory_limit: str
SET memory_limit = $memory_limit;
