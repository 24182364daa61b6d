SELECT max(value) FROM schema_info WHERE key = 'schema_version';
