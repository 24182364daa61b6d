"""The one way to run a SQL file: the layers' own, kept in the ``sql/`` folder of the layer that
runs them (``"ingest/load_trials"`` is ``ablation_sql/ingest/sql/load_trials.sql``), and the
named queries (a parsed ``SqlFile``). Every file follows the grammar of ``store.grammar``: a
header naming the file and declaring each ``$parameter``, then one statement or a ``-- script``.

``execute`` runs every statement of a file, each with the parameters it uses, and returns the
last one's rows (``fetch_rows``: as ``Rows``, DuckDB's types kept for rendering); ``fetch`` (a
DataFrame) and ``fetch_arrow`` (an Arrow table) read a one-statement file's result. Values
are bound by DuckDB as given (declared defaults fill the rest); keyword arguments a file does
not declare are not bound, so one call may serve sibling files. DuckDB's errors are raised as
they are.
``fill`` replaces a template's ``/*marker*/`` comments by generated SQL (the pivots).
On a connection whose memory is capped (``connection.open_connection``'s ``memory_limit``), a
file that runs out of memory under the cap is run once more with the cap lifted, which is then
put back."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb

from ..errors import QueryError
from .grammar import SqlFile, Statement, parse_sql
from .sql_params import TYPES

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .render import Rows

__all__ = ["INTERNAL_TYPES", "execute", "fetch", "fetch_arrow", "fetch_rows", "fill", "load",
           "statements"]

# The parameter types of the package's own files: the named queries' and what Python passes.
INTERNAL_TYPES = (*TYPES, "timestamp")
_MARKER = re.compile(r"/\*([a-z_]+)\*/")
_T = TypeVar("_T")
# The memory cap of each capped connection and cursor, and its database's spill folder (which
# tells capped databases apart). Kept here, not in DuckDB: reading it there after running out
# of memory could itself run out of memory.
_caps: weakref.WeakKeyDictionary[duckdb.DuckDBPyConnection, tuple[str, str]] = (
    weakref.WeakKeyDictionary())
# Runs without the memory cap under way, per capped database: the cap is shared by the
# database's cursors in every thread, so the last run to end puts it back.
_uncapped: Counter[str] = Counter()
_uncapped_lock = threading.Lock()
_LIFT_WAITS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0)  # seconds between tries to lift it


def remember_cap(con: duckdb.DuckDBPyConnection, cap: str, spill: str) -> None:
    """Note that ``con`` runs under the memory ``cap``, spilling into ``spill``."""
    _caps[con] = (cap, spill)


def cap_of(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """The memory cap ``con`` runs under and its spill folder, or None."""
    return _caps.get(con)


@cache
def load(name: str) -> SqlFile:
    """``ablation_sql/<layer>/sql/<file>.sql`` parsed (``name`` is ``"<layer>/<file>"``)."""
    layer, _, file = name.partition("/")
    path = resources.files("ablation_sql") / layer / "sql" / f"{file}.sql"
    return parse_sql(path.read_text("utf-8"), f"ablation_sql/{layer}/sql/{file}.sql",
                     types=INTERNAL_TYPES, scripts=True)


def statements(name: str) -> tuple[Statement, ...]:
    """The statements of the file ``name``."""
    return load(name).statements


def fill(name: str, **parts: str) -> SqlFile:
    """The template ``name`` with every ``/*marker*/`` replaced by ``parts[marker]`` (a marker
    not given: nothing)."""
    template = load(name)
    filled = tuple(dataclasses.replace(
        s, sql=_MARKER.sub(lambda m: parts.get(m.group(1), ""), s.sql))
        for s in template.statements)
    return dataclasses.replace(template, statements=filled)


def execute(con: duckdb.DuckDBPyConnection, file: str | SqlFile, /, **params: Any
            ) -> list[tuple]:
    """Run every statement of ``file``, each with the parameters it uses; rows of the last."""
    return _uncapped_once(con, lambda: _run(con, file, params).fetchall())


def fetch(con: duckdb.DuckDBPyConnection, file: str | SqlFile, /, **params: Any
          ) -> pd.DataFrame:
    """The result of a one-statement file as a DataFrame (see ``fetch.fetch_frame``)."""
    from .fetch import fetch_frame

    sql, bound = _single(file, params)
    return _uncapped_once(con, lambda: fetch_frame(con, sql, bound))


def fetch_arrow(con: duckdb.DuckDBPyConnection, file: str | SqlFile, /, **params: Any
                ) -> pa.Table:
    """The result of a one-statement file as an Arrow table."""
    sql, bound = _single(file, params)
    return _uncapped_once(con, lambda: con.sql(sql, params=bound).to_arrow_table())


def fetch_rows(con: duckdb.DuckDBPyConnection, file: str | SqlFile, /, **params: Any) -> Rows:
    """The result of a file (its last statement's) as ``Rows``, DuckDB's types kept."""
    from .render import rows_of

    return _uncapped_once(con, lambda: rows_of(_run(con, file, params)))


def _uncapped_once(con: duckdb.DuckDBPyConnection, run: Callable[[], _T]) -> _T:
    """``run()``; when it runs out of memory under the cap the connection was opened with,
    ``run()`` once more without the cap. The cap is put back when the last of the database's
    runs without it (one per thread at most) ends, unless more than the cap is in use just
    then: it stays lifted."""
    try:
        return run()
    except duckdb.OutOfMemoryException:
        if con not in _caps:
            raise
        cap, database = _caps[con]
    with _uncapped_lock:
        if not _uncapped[database]:
            _lift_cap(con)
        _uncapped[database] += 1
    try:
        return run()
    finally:
        with _uncapped_lock:
            _uncapped[database] -= 1
            if not _uncapped[database]:
                with contextlib.suppress(duckdb.OutOfMemoryException):
                    _run(con, "store/memory_limit", {"memory_limit": cap}).fetchall()


def _lift_cap(con: duckdb.DuckDBPyConnection) -> None:
    """Lift the cap. Even that statement needs a little memory: while other threads' queries
    hold all there is under the cap, it is tried again as they end (for up to a few seconds)."""
    for wait in _LIFT_WAITS:
        try:
            _run(con, "store/memory_limit_reset", {}).fetchall()
            return
        except duckdb.OutOfMemoryException:
            time.sleep(wait)
    _run(con, "store/memory_limit_reset", {}).fetchall()


def _sql_file(file: str | SqlFile) -> SqlFile:
    return load(file) if isinstance(file, str) else file


def _bind(sql_file: SqlFile, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared parameter's value: given, or its default."""
    bound = {}
    for p in sql_file.params:
        if p.name in given:
            bound[p.name] = given[p.name]
        elif p.required:
            raise QueryError(f"{sql_file.path}: parameter {p.name!r} ({p.type}) not given")
        else:
            bound[p.name] = p.default
    return bound


def _run(con: duckdb.DuckDBPyConnection, file: str | SqlFile, given: Mapping[str, Any]
         ) -> duckdb.DuckDBPyConnection:
    sql_file = _sql_file(file)
    bound = _bind(sql_file, given)
    for statement in sql_file.statements:
        con.execute(statement.sql, {k: bound[k] for k in statement.params})
    return con


def _single(file: str | SqlFile, given: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    sql_file = _sql_file(file)
    (statement,) = sql_file.statements
    bound = _bind(sql_file, given)
    return statement.sql, {k: bound[k] for k in statement.params}
