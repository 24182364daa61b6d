-- name: checkpoint
-- Write what is committed into the database file, so that closing it writes nothing more.
CHECKPOINT
