"""The Database: one DuckDB database holding ingested experiments."""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

from .errors import AblationSQLError, DatabaseError, DatabaseLockedError, InputError
from .formats import fetch_frame
from .ingest import ingest
from .queries import NamedQuery, load_queries, run_query
from .report import IngestReport
from .sqlfiles import execute
from .views import refresh_views

if TYPE_CHECKING:
    from .effects import Effects

__all__ = ["Database", "connect", "database_problem"]

SCHEMA_VERSION = "2"  # 2: trials.failure_reason
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.+?) \(PID (\d+)\)")
_TABLES = ("experiments", "trials", "params", "metrics", "metrics_other", "search_space",
           "optim_metrics", "ingest_errors", "ingests")
_FULL = ("no space left", "disk full", "disk quota")
_DAMAGED = ("could not read enough bytes", "corrupt", "checksum", "not a valid duckdb",
            "serialization", "invalid block", "failed to read")


class Database:
    """A DuckDB database of experiments: ingest folders, query with SQL.

    ``allow_files``: whether SQL may reach files and the network (``COPY ... TO``, ``read_csv``,
    ``glob``, ``ATTACH``, ``INSTALL``/``LOAD``, ...). By default only a read-write database
    may; a read-only one is sandboxed: DuckDB's external access is off and its configuration
    locked, so SQL reads and writes nothing but the database itself.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False,
                 allow_files: bool | None = None):
        self.path = None if path is None else Path(path)
        self.read_only = read_only
        self.allow_files = not read_only if allow_files is None else allow_files
        self.con = _open(self.path, read_only)
        if not self.allow_files:
            execute(self.con, "sandbox")
        self._engine = None
        if not read_only:
            try:
                _create_schema(self.con, self.path)
                refresh_views(self.con, if_outdated=True)
            except BaseException as exc:
                _close_quietly(self.con)
                if isinstance(exc, duckdb.Error):
                    raise database_problem(exc, self.path) from None
                raise
        else:
            _check_schema(self.con, self.path)

    @property
    def engine(self):
        """A SQLAlchemy engine on this same database (works with ``pandas.read_sql``)."""
        if self._engine is None:
            from duckdb_engine import ConnectionWrapper
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            self._engine = create_engine(
                "duckdb://", creator=lambda: ConnectionWrapper(self.con.cursor()),
                poolclass=NullPool,
            )
        return self._engine

    def sql(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None
            ) -> pd.DataFrame:
        """Run SQL (``?``/``$1`` or ``$name`` parameters) and return a DataFrame."""
        try:
            return fetch_frame(self.con, query, params)
        except duckdb.Error as exc:
            raise AblationSQLError(_one_line(exc)) from None

    def query(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run the named query ``name`` (``ablation-sql queries`` lists them) as a DataFrame.

        Parameters are converted to their declared types and bound, never formatted into SQL:
        ``db.query("top_trials", metric="val_accuracy", k=10)``.
        """
        return run_query(self.con, name, **params)

    def queries(self) -> dict[str, NamedQuery]:
        """The named queries, by name: ``.description``, ``.params`` and ``.sql`` of each."""
        return load_queries()

    def effects(self, metric: str, experiment: str | None = None, policy: str = "best", *,
                n_boot: int = 1000, seed: int = 0, k: int = 5, direction: str | None = None
                ) -> Effects:
        """Effects of each attribute on ``metric``: marginal, adjusted, importance, checks and
        findings (see ``ablation_sql.effects``); seeded bootstraps of ``n_boot`` resamples."""
        from .effects import effects

        return effects(self, metric, experiment, policy, n_boot=n_boot, seed=seed, k=k,
                       direction=direction)

    def refresh_views(self) -> None:
        """Regenerate the views (done by every ingest; call it after changing tables by hand)."""
        if self.read_only:
            raise InputError("the database is open read-only; cannot refresh its views")
        refresh_views(self.con)

    def ingest(
        self,
        *paths: str | os.PathLike,
        workers: int | None = None,
        scheduler: Any = None,
        full: bool = False,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> IngestReport:
        """Ingest experiment folders (or folders holding several) in one transaction.

        Unchanged trials are not re-read unless ``full``; ``scheduler`` may be a
        ``distributed.Client`` or a scheduler address (default: Dask's local scheduler).
        """
        if self.read_only:
            raise InputError("the database is open read-only; cannot ingest")
        try:
            return ingest(self.con, list(paths), workers=workers, scheduler=scheduler,
                          full=full, on_progress=on_progress)
        except duckdb.Error as exc:
            raise database_problem(exc, self.path, unchanged=True) from None
        except OSError as exc:  # the parsed data could not be staged in the temporary folder
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                raise
            raise DatabaseError(f"ingest stopped: {exc.strerror or exc} "
                                f"({exc.filename or 'temporary files'}); the database is "
                                "unchanged: free space (or set TMPDIR) and run it again"
                                ) from None

    def close(self) -> None:
        """Close the connection (and the engine, if one was made)."""
        if self._engine is not None:
            self._engine.dispose()
        try:
            self.con.close()
        except duckdb.Error as exc:
            raise database_problem(exc, self.path) from None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Database({str(self.path) if self.path else ':memory:'!r})"


def connect(path: str | os.PathLike | None = None, *, read_only: bool = False,
            allow_files: bool | None = None) -> Database:
    """Open (or create) a database file; in memory when ``path`` is None. A read-only
    database's SQL reaches no file and no network unless ``allow_files`` (see ``Database``)."""
    return Database(path, read_only=read_only, allow_files=allow_files)


def database_problem(exc: duckdb.Error, path: Path | None, *, unchanged: bool = False
                     ) -> DatabaseError:
    """DuckDB's error as one line naming the file and what to do."""
    message = _one_line(exc)
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
        if execute(con, "schema_version_get") == [(SCHEMA_VERSION,)]:
            return
    except duckdb.CatalogException:
        clash = [name for (name,) in execute(con, "schema_clash", names=list(_TABLES))]
        if clash:
            raise DatabaseError(
                f"{path or 'the database'} is not an ablation_sql database: it already holds "
                f"{', '.join(clash)}; give another --db") from None
    execute(con, "schema")
    execute(con, "schema_version", version=SCHEMA_VERSION)


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path | None) -> None:
    """Refuse, with what to do, a database written by an older schema version (read-only)."""
    try:
        found = execute(con, "schema_version_get")[0][0]
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
        raise InputError(f"cannot open {path}: {_one_line(exc)}") from None
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


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
