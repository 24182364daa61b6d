"""Staging parsed batches until they are loaded into the database in one statement per table.

DuckDB keeps many small appends of one transaction in memory until it commits; one
``INSERT ... SELECT FROM staged`` per table streams instead, so memory stays flat however
large the ingest: the batches are written as Parquet files and ``staged`` reads them. A
database in memory holds everything in memory anyway, so there the batches stay Arrow tables
and ``staged`` reads those (no files written and read back).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from ..store.sqlfiles import execute
from .batch_tables import repeated

__all__ = ["Stage", "load_rows"]


class Stage:
    """Parsed batches by table: Parquet files in a temporary folder, or Arrow tables."""

    def __init__(self, *, in_memory: bool = False) -> None:
        self._folder = None if in_memory else tempfile.TemporaryDirectory(prefix="ablation-sql-")
        self._parts: dict[str, list] = defaultdict(list)  # paths of files, or tables

    def add(self, experiment_id: str, tables: dict[str, pa.Table]) -> None:
        """Keep a batch's tables, each with its experiment_id column."""
        for name, table in tables.items():
            staged = table.append_column("experiment_id", repeated(experiment_id, table.num_rows))
            if self._folder is None:
                self._parts[name].append(staged)
                continue
            path = Path(self._folder.name) / f"{name}-{len(self._parts[name]):06d}.parquet"
            pq.write_table(staged, path, compression="none")
            self._parts[name].append(str(path))

    def load(self, con: duckdb.DuckDBPyConnection, now: dt.datetime) -> None:
        """Insert everything staged, table by table."""
        for name, parts in self._parts.items():
            rows = (con.from_arrow(pa.concat_tables(parts)) if self._folder is None
                    else con.read_parquet(parts))
            load_rows(con, name, rows, now)

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._folder is not None:
            self._folder.cleanup()


def load_rows(con: duckdb.DuckDBPyConnection, table: str, rows: duckdb.DuckDBPyRelation,
              now: dt.datetime) -> None:
    """Insert ``rows`` (a batch table's columns and experiment_id) into ``table``
    (``load_<table>.sql``, reading them as ``staged``: a temporary view, which shadows any
    object of that name in the database and leaves it untouched)."""
    con.register("staged", rows)
    try:
        execute(con, f"ingest/load_{table}", now=now)
    finally:
        con.unregister("staged")
