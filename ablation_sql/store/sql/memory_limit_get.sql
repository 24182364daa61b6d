-- name: memory_limit_get
-- The memory cap the connection was opened with (memory_cap.sql), NULL when none.
SELECT getvariable('ablation_sql_memory_cap');
