-- name: list_table
-- A temporary table from one list per column, bound as $c0, $c1, ... (ingest/few_trials.py
-- fills in the table's quoted name and its columns, each unnest($c<i>::<type>[]) AS "<name>",
-- so the lists are zipped into rows).
CREATE OR REPLACE TEMP TABLE /*table*/ AS
SELECT /*columns*/
