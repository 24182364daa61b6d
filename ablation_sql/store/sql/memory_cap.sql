-- name: memory_cap
-- Cap DuckDB's memory (its cache of the file's blocks and the queries' working memory) and
-- spill what does not fit into a private folder (DuckDB creates it when it first spills).
-- param memory_limit: str
-- param temp_directory: str
-- script
SET memory_limit = $memory_limit;
SET temp_directory = $temp_directory;
