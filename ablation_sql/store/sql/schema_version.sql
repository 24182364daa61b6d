-- name: schema_version
-- Record the schema version the tables were created with.
-- param version: str
-- script
DELETE FROM schema_info WHERE key = 'schema_version';
INSERT INTO schema_info VALUES ('schema_version', $version);
