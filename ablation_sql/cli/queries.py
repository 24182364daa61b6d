"""The ``sql``, ``query`` and ``queries`` commands' use of the library: SQL text run as Rows,
``--param NAME=VALUE`` items, the listing of the queries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from ..errors import QueryError
from ..queries import NamedQuery
from ..store.fetch import one_line
from ..store.render import Rows, rows_of

__all__ = ["describe_queries", "parse_cli_params", "run_sql"]


def run_sql(con: duckdb.DuckDBPyConnection, sql: str) -> Rows:
    """Run SQL text (one or more statements; the last one's result) as Rows."""
    try:
        if not con.extract_statements(sql):
            raise QueryError("no SQL statement to run: the text is empty or only comments")
        return rows_of(con.execute(sql))
    except duckdb.Error as exc:
        raise QueryError(one_line(exc)) from None


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
