DELETE FROM schema_info WHERE key = 'schema_version';
INSERT INTO schema_info VALUES ('schema_version', $version);
