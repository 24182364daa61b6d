-- name: threads_set
-- Run DuckDB's queries on this many threads (a setting of the database, every connection's).
-- param threads: int
SET threads = $threads;
