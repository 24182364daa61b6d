-- name: memory_limit_reset
-- Lift the memory cap: DuckDB's default (a share of the machine's memory).
RESET memory_limit;
