-- name: list_table_drop
-- Drop a temporary table made by list_table.sql (its quoted name filled in).
DROP TABLE IF EXISTS temp./*table*/
