"""An experiment's own rows, inserted from lists: its search space, its metrics' directions
and the experiment-level files that could not be read in full."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from ..store.sqlfiles import execute
from .list_tables import list_table
from .search_space import SearchSpaceRow

__all__ = ["insert_directions", "insert_problems", "insert_search_space", "set_directions"]


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
