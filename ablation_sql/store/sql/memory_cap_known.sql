-- name: memory_cap_known
-- Tell a second connection to a capped database (a cursor) the cap it was opened with, so
-- that its files too are run again without the cap when they run out of memory.
-- param memory_limit: str
SET VARIABLE ablation_sql_memory_cap = $memory_limit;
