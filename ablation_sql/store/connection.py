"""Opening a database file: its lock, its schema and schema version, the sandbox of a read-only
database, DuckDB's errors about the file in words (``database_problem``), and the store
connection the layers above take (a DuckDB connection, or any object holding one as ``.con``,
as ``Database`` does). A connection that runs only the package's SQL (the report's) may cap
DuckDB's memory (``memory_limit``, ``READ_MEMORY_LIMIT``): its cache of the file's blocks and
the queries' working memory, spilling into a private folder under the system's temporary one;
its sandbox then leaves the configuration unlocked, so that a file that runs out of memory
under the cap is run again without it (``sqlfiles``)."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import duckdb

from ..errors import DatabaseError, DatabaseLockedError, InputError
from .fetch import one_line
from .sqlfiles import cap_of, execute, fetch_rows, remember_cap
from .views import refresh_views

__all__ = ["READ_MEMORY_LIMIT", "SCHEMA_VERSION", "Connectable", "connection", "cursor",
           "database_problem", "duckdb_threads", "open_connection", "read_beside"]

# The report's cap: beyond it DuckDB evicts cached blocks and spills; 256 MB costs no time
# at 100,000 trials and keeps the whole report, its figures drawn beside its effects, under
# 1 GiB (0.83 GiB; 0.96 GiB at 384 MB).
READ_MEMORY_LIMIT = "256MB"
SCHEMA_VERSION = "3"  # 2: trials.failure_reason; 3: experiments.source
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
_TABLES = ("experiments", "trials", "params", "metrics", "metrics_other", "search_space",
           "optim_metrics", "ingest_errors", "ingests")
_FULL = ("no space left", "disk full", "disk quota")
_DAMAGED = ("could not read enough bytes", "corrupt", "checksum", "not a valid duckdb",
            "serialization", "invalid block", "failed to read")


class HasConnection(Protocol):
    con: duckdb.DuckDBPyConnection


Connectable = duckdb.DuckDBPyConnection | HasConnection


def connection(source: Connectable) -> duckdb.DuckDBPyConnection:
    """The DuckDB connection of ``source``: itself, or its ``.con``."""
    return source if isinstance(source, duckdb.DuckDBPyConnection) else source.con


def cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A second connection to ``con``'s database (for another thread), which knows its
    memory cap as ``con`` does."""
    other = con.cursor()
    capped = cap_of(con)
    if capped is not None:
        remember_cap(other, *capped)
    return other


_R = TypeVar("_R")


@contextmanager
def read_beside(con: duckdb.DuckDBPyConnection, read: Callable[..., _R], *args: Any,
                **kwargs: Any) -> Iterator[Future[_R]]:
    """``read(reader, *args, **kwargs)`` on a second connection to ``con``'s database
    (``cursor``), in a second thread, while the block runs: DuckDB releases the GIL, so the
    block's Python and the read share the two cores. Yields the read's future."""
    with cursor(con) as reader, ThreadPoolExecutor(max_workers=1) as pool:
        yield pool.submit(read, reader, *args, **kwargs)


@contextmanager
def duckdb_threads(con: duckdb.DuckDBPyConnection, threads: int) -> Iterator[None]:
    """DuckDB's queries on ``threads`` threads while the block runs, then on as many as before
    (the setting is the database's: every connection to it). For a block whose own threads
    keep the cores busy, where DuckDB's would only add the cost of splitting its work. On a
    connection whose configuration is locked (``store/sandbox``) the setting stays as it is."""
    before, locked = fetch_rows(con, "store/threads_get").rows[0]
    if locked:
        yield
        return
    execute(con, "store/threads_set", threads=threads)
    try:
        yield
    finally:
        execute(con, "store/threads_set", threads=before)


def open_connection(path: Path | None, *, read_only: bool, allow_files: bool,
                    memory_limit: str | None = None, views: bool = True
                    ) -> duckdb.DuckDBPyConnection:
    """Open (or create) ``path`` (in memory when None): sandboxed unless ``allow_files``; a
    read-write database gets the schema and fresh views (``views`` False: the schema only, for
    a caller that builds the views itself, ``refresh_views``), a read-only one is checked.
    ``memory_limit`` (e.g. ``"384MB"``): DuckDB's memory cap, for a connection on which only
    the package's SQL runs (see the module)."""
    con = _open(path, read_only)
    if memory_limit is not None:
        spill = Path(tempfile.gettempdir(),
                     f"ablation-sql-spill-{os.getpid()}-{secrets.token_hex(4)}")
        execute(con, "store/memory_cap", memory_limit=memory_limit, temp_directory=str(spill))
        remember_cap(con, memory_limit, str(spill))
    if not allow_files:
        execute(con, "store/no_external_access" if memory_limit else "store/sandbox")
    if not read_only:
        try:
            _create_schema(con, path)
            if views:
                refresh_views(con, if_outdated=True)
        except BaseException as exc:
            _close_quietly(con)
            if isinstance(exc, duckdb.Error):
                raise database_problem(exc, path) from None
            raise
    else:
        _check_schema(con, path)
    return con


def database_problem(exc: duckdb.Error, path: Path | None, *, unchanged: bool = False
                     ) -> DatabaseError:
    """DuckDB's error as one line naming the file and what to do."""
    message = one_line(exc)
    where = str(path) if path else "the database"
    kept = "the database is unchanged; " if unchanged else ""
    cause = _cause(message)
    if cause == "full":
        advice = f"{kept}free disk space or use another --db, and run it again"
    elif cause == "damaged":
        advice = ("the file is damaged, cut short or overwritten: restore it from a copy or "
                  "ingest into a new --db")
    else:
        advice = f"{kept}check the file, or use another --db"
    return DatabaseError(f"{where}: {message} ({advice})")


def _create_schema(con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
    """Create the tables, unless this schema version is already there.

    A file without our schema but with tables of the same names is someone else's: refused.
    """
    try:
        if execute(con, "store/schema_version_get") == [(SCHEMA_VERSION,)]:
            return
    except duckdb.CatalogException:
        clash = [name for (name,) in execute(con, "store/schema_clash", names=list(_TABLES))]
        if clash:
            raise DatabaseError(
                f"{path or 'the database'} is not an ablation_sql database: it already holds "
                f"{', '.join(clash)}; give another --db") from None
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
        if _cause(str(exc)):
            raise database_problem(exc, path) from None
        raise InputError(f"cannot open {path}: {one_line(exc)}") from None
    except duckdb.Error as exc:
        raise database_problem(exc, path) from None


def _cause(message: str) -> str | None:
    """'full' or 'damaged' when DuckDB's message says so."""
    lower = message.lower()
    if any(word in lower for word in _FULL):
        return "full"
    if any(word in lower for word in _DAMAGED):
        return "damaged"
    return None


def _close_quietly(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:
        pass
