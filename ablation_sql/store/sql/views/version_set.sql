-- Record the fingerprint of the view definitions the views were just built from.
DELETE FROM schema_info WHERE key = 'views_version';
INSERT INTO schema_info VALUES ('views_version', $version);
