"""An experiment's own rows, inserted from lists: its search space, its metrics' directions
and the experiment-level files that could not be read in full; the master config's values as
its columns take them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from ..store.sqlfiles import execute
from .list_tables import list_table
from .search_space import SearchSpaceRow

__all__ = ["INT_COLUMNS", "insert_directions", "insert_problems", "insert_search_space",
           "master_integer", "set_directions", "text_of"]

# experiments.total_trials is an INTEGER, experiments.random_seed a BIGINT
INT_COLUMNS = {"total_trials": range(-(2**31), 2**31), "random_seed": range(-(2**63), 2**63)}


def insert_search_space(con: duckdb.DuckDBPyConnection, eid: str,
                        rows: list[SearchSpaceRow]) -> None:
    """The declared attributes of experiment ``eid``."""
    if rows:
        with list_table(con, "batch_search_space",
                        {f: [getattr(r, f) for r in rows] for f in rows[0].__dataclass_fields__},
                        {"low": "float", "high": "float", "log": "bool", "n_bins": "int"}):
            execute(con, "ingest/insert_search_space", experiment_id=eid)


def insert_directions(con: duckdb.DuckDBPyConnection, eid: str,
                      directions: Sequence[tuple[str, str]]) -> None:
    """The optimised metrics of experiment ``eid`` and their directions."""
    if directions:
        with list_table(con, "batch_optim_metrics",
                        {"metric": [m for m, _ in directions],
                         "direction": [d for _, d in directions]}):
            execute(con, "ingest/insert_optim_metrics", experiment_id=eid)


def set_directions(con: duckdb.DuckDBPyConnection, eid: str,
                   directions: Mapping[str, str]) -> None:
    """Directions given by the user replace those of the same metrics."""
    for metric in directions:
        execute(con, "ingest/clear_directions", experiment_id=eid, metric=metric)
    insert_directions(con, eid, list(directions.items()))


def insert_problems(con: duckdb.DuckDBPyConnection, experiment_id: str,
                    problems: list[tuple[Path, str]], now: dt.datetime) -> None:
    """Experiment-level files that could not be read in full."""
    if problems:
        with list_table(con, "batch_errors",
                        {"trial_uid": [None] * len(problems),
                         "path": [str(p) for p, _ in problems],
                         "error": [reason for _, reason in problems]}):
            execute(con, "ingest/insert_errors", experiment_id=experiment_id, now=now)


def master_integer(master: dict[str, Any], key: str, notes: list[str]) -> int | None:
    """An integer of the master config that fits its column; else None and a note why."""
    value = master.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if value not in INT_COLUMNS[key]:
        bits = 32 if INT_COLUMNS[key].stop == 2**31 else 64
        shown = (text_of(value) or "")[:40]
        notes.append(f"{key} {shown} does not fit the {bits}-bit column: stored as NULL "
                     "(master_config keeps it)")
        return None
    return value


def text_of(value: Any) -> str | None:
    """A master config's value as text (None stays None)."""
    if value is None:
        return None
    try:
        return str(value)
    except ValueError:  # an integer too long for Python to write in decimal
        return hex(value)
