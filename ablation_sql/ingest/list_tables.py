"""Python lists bound to DuckDB as list parameters and zipped into rows (``unnest``): the
temporary tables of the pipeline's small inserts, and the rows of statements that read their
values in place."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ..store.sqlfiles import execute, fill
from ..store.views import quote_identifier

__all__ = ["bound_lists", "list_table", "unnested"]

_SQL_TYPES = {"str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN"}


def bound_lists(columns: dict[str, list], kinds: dict[str, str] | None = None
                ) -> tuple[list[str], dict[str, list]]:
    """Each of ``columns`` as a typed list parameter, ``$c<i>::<type>[]``, and the parameters.
    ``kinds`` gives a column's kind (str, int, float, bool; unnamed columns are strings), typed
    as the batch tables are: None is NULL in every kind, and so is NaN in a float column
    (infinities stay; integers beyond a double's range become infinities)."""
    kinds = kinds or {}
    lists, params = [], {}
    for i, (column, values) in enumerate(columns.items()):
        kind = kinds.get(column, "str")
        lists.append(f"$c{i}::{_SQL_TYPES[kind]}[]")
        params[f"c{i}"] = [_double(v) for v in values] if kind == "float" else values
    return lists, params


def unnested(columns: dict[str, list], kinds: dict[str, str] | None = None
             ) -> tuple[str, dict[str, list]]:
    """A select list zipping ``columns`` into rows, each ``unnest($c<i>::<type>[]) AS
    "<name>"``, and its parameters (see ``bound_lists``)."""
    lists, params = bound_lists(columns, kinds)
    return ", ".join(f"unnest({values}) AS {quote_identifier(column)}"
                     for values, column in zip(lists, columns, strict=True)), params


@contextmanager
def list_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list],
               kinds: dict[str, str] | None = None) -> Iterator[None]:
    """``columns`` as the temporary table ``name`` while the block runs (typed as
    ``unnested`` types them)."""
    selected, params = unnested(columns, kinds)
    table = quote_identifier(name)
    con.execute(fill("ingest/list_table", table=table, columns=selected).sql, params)
    try:
        yield
    finally:
        execute(con, fill("ingest/list_table_drop", table=table))


def _double(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an integer beyond the range of a double
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]
    return None if math.isnan(number) else number
