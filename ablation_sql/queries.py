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

The library ships inside the package as ``ablation_sql/sql/queries/`` (a wheel) and is the
top-level ``queries/`` folder of a source checkout (an editable install); ``load_queries()``
finds whichever exists.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

try:  # Python 3.11+; importlib.abc.Traversable is deprecated from 3.12
    from importlib.resources.abc import Traversable
except ImportError:  # pragma: no cover - Python 3.10
    from importlib.abc import Traversable

import duckdb
import pandas as pd

from .errors import QueryError
from .formats import Rows, fetch_frame, fetch_rows
from .query_files import NamedQuery, QueryParam, convert, parse_query

__all__ = [
    "NamedQuery",
    "QueryParam",
    "bind_params",
    "convert",
    "default_folder",
    "describe_queries",
    "get_query",
    "load_queries",
    "one_line",
    "parse_cli_params",
    "parse_query",
    "query_rows",
    "run_query",
    "run_sql",
]

def default_folder() -> Traversable:
    """The query library: packaged (``ablation_sql/sql/queries``) or the checkout's ``queries/``."""
    packaged = resources.files("ablation_sql").joinpath("sql", "queries")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "queries"


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
    bound = bind_params(query, params)
    try:
        return fetch_frame(con, query.sql, bound)
    except duckdb.Error as exc:
        raise QueryError(f"query {query.name}: {one_line(exc)}") from None


def query_rows(con: duckdb.DuckDBPyConnection, query: NamedQuery, params: Mapping[str, Any]
               ) -> Rows:
    """Run ``query`` with ``params`` (strings converted to the declared types) as Rows."""
    bound = bind_params(query, params)
    try:
        return fetch_rows(con.execute(query.sql, bound))
    except duckdb.Error as exc:
        raise QueryError(f"query {query.name}: {one_line(exc)}") from None


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> Rows:
    """Run SQL text (one or more statements; the last one's result) as Rows."""
    try:
        if not con.extract_statements(sql):
            raise QueryError("no SQL statement to run: the text is empty or only comments")
        return fetch_rows(con.execute(sql))
    except duckdb.Error as exc:
        raise QueryError(one_line(exc)) from None


def one_line(exc: Exception) -> str:
    """A DuckDB error on one line: its first line, plus the ``LINE n:`` context if any."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    where = next((line for line in lines[1:] if line.startswith("LINE ")), None)
    return lines[0] + (f" ({where})" if where else "")


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


def parse_cli_params(items: Sequence[str]) -> dict[str, Any]:
    """``["k=10", "experiment=NULL"]`` -> ``{"k": "10", "experiment": None}`` (strings are
    converted to the declared types by ``bind_params``)."""
    params: dict[str, Any] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise QueryError(f"--param {item!r}: expected NAME=VALUE")
        if name in params:
            raise QueryError(f"--param {name} given twice")
        params[name] = None if value == "NULL" else value
    return params


def describe_queries(queries: Mapping[str, NamedQuery], *, verbose: bool = False) -> str:
    """The listing printed by ``ablation-sql queries``."""
    blocks = []
    for query in queries.values():
        lines = [f"{query.name}: {query.summary}"]
        if verbose:
            lines += [f"  {line}" if line else "" for line in query.description.splitlines()[1:]]
        width = max((len(p.describe()) for p in query.params), default=0)
        for p in query.params:
            text = p.describe().ljust(width) + (f"   {p.help}" if p.help else "")
            lines.append(f"    {text.rstrip()}")
        if not query.params:
            lines.append("    (no parameters)")
        if verbose:
            lines += ["", *(f"    {line}" for line in query.sql.splitlines())]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else "(no queries)\n"

