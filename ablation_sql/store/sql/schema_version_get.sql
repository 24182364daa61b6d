-- name: schema_version_get
-- The schema version of the database (a CatalogException before any schema).
SELECT max(value) FROM schema_info WHERE key = 'schema_version';
