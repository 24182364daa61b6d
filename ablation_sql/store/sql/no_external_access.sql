-- name: no_external_access
-- No file or network access from SQL, as the sandbox, without locking the configuration (for a
-- connection that runs only the package's SQL and may lift its memory cap; DuckDB refuses to
-- turn external access back on while the database is open).
SET enable_external_access = false;
