-- name: memory_limit_get
-- The memory cap the connection was opened with (memory_cap.sql), NULL when none, and the
-- database's folder for spilling (private to a capped database: it tells databases apart).
SELECT getvariable('ablation_sql_memory_cap'), current_setting('temp_directory');
