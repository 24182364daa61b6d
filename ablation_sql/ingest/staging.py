"""Staging parsed batches as Parquet files, loaded into the database in one statement per table.

DuckDB keeps many small appends of one transaction in memory until it commits; one
``INSERT ... SELECT FROM read_parquet(...)`` per table streams instead, so memory stays flat
however large the ingest.
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

__all__ = ["Stage"]


class Stage:
    """A temporary folder of Parquet files, one per parsed batch and table."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="ablation-sql-")
        self._files: dict[str, list[str]] = defaultdict(list)

    def add(self, experiment_id: str, tables: dict[str, pa.Table]) -> None:
        """Write a batch's tables, each with its experiment_id column."""
        for name, table in tables.items():
            ids = repeated(experiment_id, table.num_rows)
            path = Path(self._folder.name) / f"{name}-{len(self._files[name]):06d}.parquet"
            pq.write_table(table.append_column("experiment_id", ids), path,
                           compression="none")
            self._files[name].append(str(path))

    def load(self, con: duckdb.DuckDBPyConnection, now: dt.datetime) -> None:
        """Insert everything staged, table by table (``load_<table>.sql``)."""
        for name, files in self._files.items():
            execute(con, f"ingest/load_{name}", files=files, now=now)

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc: object) -> None:
        self._folder.cleanup()
