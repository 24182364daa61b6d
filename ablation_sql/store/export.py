"""Export every table and view of a database to Parquet or CSV files, one file per relation."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb

from ..errors import InputError, QueryError
from .choices import EXPORT_FORMATS
from .fetch import one_line
from .sqlfiles import execute
from .views import quote_identifier

__all__ = ["EXPORT_FORMATS", "export_database", "relations"]

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table' | 'view') of every table and view of the main schema, by name."""
    return [(name, kind) for name, kind in execute(con, "store/views/relations")]


def export_database(con: duckdb.DuckDBPyConnection, out: str | os.PathLike, fmt: str = "parquet"
                    ) -> list[Path]:
    """Write every table and view to ``out/<name>.<fmt>``; returns the files written.

    CSV files have a header and an empty field for NULL; JSON columns are written as text.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r}; use parquet or csv")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, _ in relations(con):
        path = folder / f"{_UNSAFE.sub('_', name)}.{fmt}"
        relation = con.sql(f"SELECT * FROM {quote_identifier(name)}")
        try:
            if fmt == "parquet":
                relation.write_parquet(str(path))
            else:
                relation.write_csv(str(path), header=True)
        except duckdb.Error as exc:
            raise QueryError(f"cannot export {name}: {one_line(exc)}") from None
        written.append(path)
    return written
