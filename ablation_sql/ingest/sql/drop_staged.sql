-- name: drop_staged
-- The view of staged rows, once they are loaded (it holds on to what it reads).
DROP VIEW IF EXISTS staged;
