"""Staging parsed batches until they are loaded into the database in one statement per table.

DuckDB keeps many small appends of one transaction in memory until it commits; one
``INSERT ... SELECT FROM staged`` per table streams instead, so memory stays flat however
large the ingest: the batches are written as Parquet files and ``staged`` reads them. Local
workers write their batch's files themselves (``write_parts``) into the staging folder, so the
ingesting process never handles their rows; batches that come back as Arrow tables (from a
Dask cluster, whose workers may not see that folder) are written here. A database in memory
holds everything in memory anyway, so there the batches stay Arrow tables and ``staged`` reads
those (no files written and read back).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow as pa

from ..store.sqlfiles import execute
from .batch_tables import repeated

__all__ = ["Stage", "load_rows", "write_parts"]


class Stage:
    """Parsed batches by table: Parquet files in a temporary folder, or Arrow tables."""

    def __init__(self, *, in_memory: bool = False) -> None:
        self._folder = None if in_memory else tempfile.TemporaryDirectory(prefix="ablation-sql-")
        self._parts: dict[str, list] = defaultdict(list)  # paths of files, or tables

    @property
    def folder(self) -> str | None:
        """Where the batches' Parquet files go (None: a database in memory keeps tables)."""
        return None if self._folder is None else self._folder.name

    def add(self, number: int, experiment_id: str, tables: dict[str, pa.Table | str]) -> None:
        """Keep batch ``number``'s tables: files ``write_parts`` wrote, or Arrow tables (then
        written here, each with its experiment_id column, unless the database is in memory)."""
        if self._folder is not None and not all(isinstance(t, str) for t in tables.values()):
            tables = write_parts(self._folder.name, number, experiment_id, tables)
        for name, table in tables.items():
            if isinstance(table, pa.Table):
                table = with_experiment(table, experiment_id)
            self._parts[name].append(table)

    def load(self, con: duckdb.DuckDBPyConnection, now: dt.datetime) -> None:
        """Insert everything staged, table by table (Arrow tables laid out alike at once)."""
        for name, parts in self._parts.items():
            if self._folder is not None:
                load_rows(con, name, con.read_parquet(parts), now)
                continue
            alike: dict[pa.Schema, list[pa.Table]] = defaultdict(list)
            for table in parts:
                alike[table.schema].append(table)
            for tables in alike.values():
                load_rows(con, name, con.from_arrow(pa.concat_tables(tables)), now)

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


def write_parts(folder: str, number: int, experiment_id: str, tables: dict[str, pa.Table]
                ) -> dict[str, str]:
    """Write batch ``number``'s tables as Parquet files into ``folder`` (each with its
    experiment_id column); their paths by table. Parquet's writer is imported here, by the
    workers that write it (the tables of up to ``pipeline.ARROW_TRIALS`` trials stay in memory)."""
    import pyarrow.parquet as pq

    paths = {}
    for name, table in tables.items():
        paths[name] = str(Path(folder) / f"{name}-{number:06d}.parquet")
        pq.write_table(with_experiment(table, experiment_id), paths[name], compression="none")
    return paths


def with_experiment(table: pa.Table, experiment_id: str) -> pa.Table:
    """``table`` with an experiment_id column (dictionary-encoded: one string)."""
    return table.append_column("experiment_id", repeated(experiment_id, table.num_rows))
