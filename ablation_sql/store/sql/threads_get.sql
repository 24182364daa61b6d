-- name: threads_get
-- How many threads DuckDB runs a query on (a setting of the database, every connection's), and
-- whether the configuration is locked (a sandboxed connection's: the setting cannot change).
SELECT current_setting('threads') AS threads, current_setting('lock_configuration') AS locked;
