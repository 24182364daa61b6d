-- name: relations
-- Every table and view of the database's main schema (what `ablation-sql export` writes).
SELECT table_name AS name, CASE table_type WHEN 'VIEW' THEN 'view' ELSE 'table' END AS kind
FROM information_schema.tables
WHERE table_catalog = current_database() AND table_schema = 'main'
ORDER BY table_name;
