-- name: version_set
-- Record the fingerprints of the view definitions and of the generated views' statements the
-- views were just built from.
-- param version: str
-- param generated: str
-- script
DELETE FROM schema_info WHERE key IN ('views_version', 'generated_views');
INSERT INTO schema_info VALUES ('views_version', $version), ('generated_views', $generated);
