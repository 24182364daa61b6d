"""Helpers shared by the ingest tests."""

from __future__ import annotations

import duckdb

CONTRACT_TABLES = ("experiments", "trials", "params", "metrics", "metrics_other", "search_space",
                   "optim_metrics", "ingest_errors")
VOLATILE = {"ingested_at", "seen_at"}


def snapshot(con: duckdb.DuckDBPyConnection, *, volatile: bool = True) -> dict[str, list]:
    """Every row of every contract table, sorted; without timestamps unless ``volatile``."""
    tables = {}
    for table in CONTRACT_TABLES:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()
            if volatile or c not in VOLATILE]
        select = ", ".join(f'"{c}"' for c in columns)
        tables[table] = con.execute(f"SELECT {select} FROM {table} ORDER BY ALL").fetchall()
    return tables
