-- name: threads_get
-- How many threads DuckDB runs a query on (a setting of the database, every connection's).
SELECT current_setting('threads') AS threads;
