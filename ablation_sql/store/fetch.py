"""The one way the layers read a result into pandas: ``fetch_frame`` runs a statement and returns
a DataFrame, through Arrow when every column has a flat type (numbers, strings, JSON, booleans,
dates, timestamps), which is several times faster than DuckDB's own ``.df()`` for string
columns, with the same dtypes as ``.df()`` (numpy when a column has no NULL, pandas nullable
``Int64``/``boolean`` when it has, ``object`` for a string column of only NULLs); other results
use ``.df()``. ``one_line`` puts a DuckDB error on one line. pandas and Arrow are imported
on the first fetch, so that commands which never build a DataFrame start without them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["fetch_frame", "one_line"]

_FLAT_TYPES = {
    "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "FLOAT", "DOUBLE", "VARCHAR", "JSON", "DATE", "TIMESTAMP",
}


@cache
def _nullable() -> dict:
    """Arrow types whose NULLs need pandas' nullable dtypes, with those dtypes."""
    import pandas as pd
    import pyarrow as pa

    return {
        pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
        pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str,
                params: Sequence[Any] | Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Run ``sql`` with ``params`` and return its result as a DataFrame (empty if none)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    relation = con.sql(sql, params=params)
    if relation is None:
        return pd.DataFrame()
    names = relation.columns
    flat = all(_base_type(t) in _FLAT_TYPES for t in relation.types)
    if not names or not flat or len(set(n.lower() for n in names)) != len(names):
        frame = relation.df()
        if any("\x00" in name for name in names):  # DuckDB's conversion cuts a name at a NUL
            frame.columns = names
        return frame
    table = relation.to_arrow_table().rename_columns(names)
    for i, column in enumerate(table.columns):
        if pa.types.is_date(column.type):
            table = table.set_column(i, table.field(i).name, column.cast(pa.timestamp("us")))
    frame = table.to_pandas()
    replaced = {}
    nullable = _nullable()
    for name, column in zip(table.column_names, table.columns, strict=True):
        if column.null_count == len(column) and pa.types.is_string(column.type):
            replaced[name] = np.empty(len(column), dtype=object)  # as .df(): None, object
        elif column.null_count and column.type in nullable:
            replaced[name] = column.to_pandas(types_mapper=nullable.get)  # as .df(): Int64
    if not replaced:
        return frame
    return pd.DataFrame({name: replaced.get(name, frame[name]) for name in frame.columns},
                        index=frame.index, copy=False)


def one_line(exc: Exception) -> str:
    """A DuckDB error on one line: its lines (a hint such as ``Did you mean "trials"?`` kept),
    the ``LINE n:`` context last in parentheses, the ``^^^`` marker left out."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip(" ^\t")]
    if not lines:
        return type(exc).__name__
    where = next((line for line in lines[1:] if line.startswith("LINE ")), None)
    told = " ".join(line for line in lines if line != where)
    return told + (f" ({where})" if where else "")


def _base_type(duck_type: Any) -> str:
    return str(duck_type).split("(")[0].upper()
