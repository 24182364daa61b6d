"""Named queries: one ``<name>.sql`` file per query, parameters declared in its header.

The header grammar is documented in ``queries/README.md``; in short::

    -- name: top_trials
    -- The k best trials for a metric, with their attribute values.
    -- param metric: str = val_loss   -- the metric to rank by
    -- param k: int = 10
    SELECT ... $metric ... $k

Files are checked when loaded (a malformed header, a ``$x`` used but not declared, a parameter
declared but not used, or more than one statement is an error naming ``file:line``). Values are
converted to the declared type and bound by DuckDB as named parameters, never formatted into the
SQL text.

The library ships inside the package as ``ablation_sql/queries/named/`` (a wheel) and is the
top-level ``queries/`` folder of a source checkout (an editable install); ``load_queries()``
finds whichever exists.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if sys.version_info >= (3, 11):  # importlib.abc.Traversable is deprecated from 3.12
    from importlib.resources.abc import Traversable
else:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

import duckdb

from ..errors import QueryError
from ..store import sqlfiles
from ..store.fetch import one_line
from ..store.grammar import SqlFile, parse_sql
from ..store.render import Rows
from ..store.sql_params import QueryParam, convert

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "NamedQuery",
    "QueryParam",
    "bind_params",
    "convert",
    "default_folder",
    "get_query",
    "load_queries",
    "parse_query",
    "query_rows",
    "run_query",
]

NamedQuery = SqlFile  # a named query is a SQL file of the library (one statement)
INCLUDE_FOLDER = "include"  # the library's shared header fragments (``-- include: <name>``)


def default_folder() -> Traversable:
    """The query library: packaged (``ablation_sql/queries/named``) or the checkout's
    ``queries/``."""
    packaged = resources.files("ablation_sql") / "queries" / "named"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "queries"


def parse_query(text: str, path: str = "<query>") -> NamedQuery:
    """Parse one query file (one statement; ``-- include:`` lines name the library's fragments,
    ``queries/include/<name>.sql``); errors name ``path:line``."""
    return parse_sql(text, path, include=_fragment)


def _fragment(name: str) -> tuple[str, str]:
    entry = default_folder() / INCLUDE_FOLDER / f"{name}.sql"
    if not entry.is_file():
        raise QueryError(f"no fragment {name!r} in the library's {INCLUDE_FOLDER}/ folder")
    return f"queries/{INCLUDE_FOLDER}/{name}.sql", entry.read_text(encoding="utf-8")


def load_queries(folder: str | os.PathLike | Traversable | None = None
                 ) -> dict[str, NamedQuery]:
    """Every ``*.sql`` file of ``folder`` (default: the library), by name, sorted."""
    if folder is None:
        return dict(_library())
    return _load(folder if isinstance(folder, Traversable) else Path(folder))


@cache
def _library() -> tuple[tuple[str, NamedQuery], ...]:
    return tuple(_load(default_folder()).items())


def _load(folder: Path | Traversable) -> dict[str, NamedQuery]:
    if not folder.is_dir():
        raise QueryError(f"{folder}: not a folder of queries")
    queries = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".sql") and entry.is_file():
            query = parse_query(entry.read_text(encoding="utf-8"), str(entry))
            queries[query.name] = query
    return queries


def get_query(name: str, queries: Mapping[str, NamedQuery] | None = None) -> NamedQuery:
    """The query called ``name``; an unknown name is a QueryError suggesting close ones."""
    queries = load_queries() if queries is None else queries
    try:
        return queries[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(queries), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise QueryError(f"unknown query {name!r}{hint}; `ablation-sql queries` lists them"
                         ) from None


def run_query(con: duckdb.DuckDBPyConnection, name: str, /, **params: Any) -> pd.DataFrame:
    """Run the library query ``name`` with ``params`` (converted, bound) as a DataFrame."""
    query = get_query(name)
    try:
        return sqlfiles.fetch(con, query, **bind_params(query, params))
    except duckdb.Error as exc:
        raise QueryError(f"query {query.name}: {one_line(exc)}") from None


def query_rows(con: duckdb.DuckDBPyConnection, query: NamedQuery, bound: Mapping[str, Any]
               ) -> Rows:
    """Run ``query`` with its ``bound`` parameters (``bind_params``'s result) as Rows."""
    try:
        return sqlfiles.fetch_rows(con, query, **bound)
    except duckdb.Error as exc:
        raise QueryError(f"query {query.name}: {one_line(exc)}") from None


def bind_params(query: NamedQuery, params: Mapping[str, Any]) -> dict[str, Any]:
    """Every declared parameter's value: given (converted to its type) or its default."""
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(params) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(f"query {query.name} has no parameter {unknown[0]!r} "
                         f"(its parameters: {names})")
    bound = {}
    for p in query.params:
        if p.name in params:
            value = convert(params[p.name], p.type, f"{query.name}: {p.name}")
            bound[p.name] = p.check(value, f"query {query.name}", f"{query.path}:{p.line}")
        elif p.required:
            raise QueryError(f"query {query.name} needs parameter {p.name!r} ({p.type})"
                             + (f": {p.help}" if p.help else ""))
        else:
            bound[p.name] = p.default
    return bound
