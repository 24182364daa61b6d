"""Opening a database file: its lock, its schema and schema version, the sandbox of a read-only
database, and the store connection the layers above take (a DuckDB connection, or any object
holding one as ``.con``, as ``Database`` does)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

import duckdb

from ..errors import DatabaseLockedError, InputError
from .sqlfiles import execute
from .views import refresh_views

__all__ = ["Connectable", "SCHEMA_VERSION", "connection", "open_connection"]

SCHEMA_VERSION = "2"  # 2: trials.failure_reason
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")


class HasConnection(Protocol):
    con: duckdb.DuckDBPyConnection


Connectable = duckdb.DuckDBPyConnection | HasConnection


def connection(source: Connectable) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection of ``source``: itself, or its ``.con``."""
    return source if isinstance(source, duckdb.DuckDBPyConnection) else source.con


def open_connection(path: Path | None, *, read_only: bool, allow_files: bool
                    ) -> duckdb.DuckDBPyConnection:
    """Open (or create) ``path`` (in memory when None): sandboxed unless ``allow_files``; a
    read-write database gets the schema and fresh views, a read-only one is checked."""
    con = _open(path, read_only)
    if not allow_files:
        execute(con, "store/sandbox")
    if not read_only:
        _create_schema(con)
        refresh_views(con, if_outdated=True)
    else:
        _check_schema(con, path)
    return con


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables, unless this schema version is already there."""
    try:
        if execute(con, "store/schema_version_get") == [(SCHEMA_VERSION,)]:
            return
    except duckdb.CatalogException:
        pass
    execute(con, "store/schema")
    execute(con, "store/schema_version", version=SCHEMA_VERSION)


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
    """Refuse, with what to do, a database written by an older schema version (read-only)."""
    try:
        found = execute(con, "store/schema_version_get")[0][0]
    except duckdb.CatalogException:
        return  # not an ablation_sql database: plain SQL on it still works
    if str(found).isdigit() and int(found) < int(SCHEMA_VERSION):
        raise InputError(
            f"{path} was written by an older ablation_sql (schema {found}, now "
            f"{SCHEMA_VERSION}); ingest into it once (ablation-sql ingest PATH --db {path}) "
            "to upgrade it in place")


def _open(path: Path | None, read_only: bool) -> duckdb.DuckDBPyConnection:
    if path is None:
        return duckdb.connect(":memory:")
    if read_only and not path.exists():
        raise InputError(f"{path} does not exist")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        message = str(exc)
        if "lock" in message.lower():
            match = _LOCK_HOLDER.search(message)
            holder = f"{match.group(1)} (PID {match.group(2)})" if match else "another process"
            raise DatabaseLockedError(f"{path} is locked by {holder}") from None
        raise InputError(f"cannot open {path}: {_one_line(exc)}") from None
    except duckdb.Error as exc:
        raise InputError(f"cannot open {path}: {_one_line(exc)}") from None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
