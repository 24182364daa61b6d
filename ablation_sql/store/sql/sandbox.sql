-- name: sandbox
-- No file or network access from SQL (COPY TO, read_csv, glob, ATTACH, INSTALL, LOAD, ...): the
-- database already open stays readable. Locked, so no later statement can turn it back on.
-- script
SET enable_external_access = false;
SET lock_configuration = true;
