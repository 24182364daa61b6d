-- name: schema_clash
-- Tables and views of the open database whose names the schema would use ($names).
-- param names: str[]
SELECT DISTINCT name FROM (
    SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database()
    UNION ALL
    SELECT view_name FROM duckdb_views() WHERE NOT internal AND database_name = current_database()
)
WHERE list_contains($names, name)
ORDER BY name;
