-- name: version_set
-- Record the fingerprint of the view definitions the views were just built from.
-- param version: str
-- script
DELETE FROM schema_info WHERE key = 'views_version';
INSERT INTO schema_info VALUES ('views_version', $version);
