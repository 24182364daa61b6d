"""The way of an ingest with few trials to read: parsed in this process and inserted by DuckDB
from Python lists bound as list parameters. No worker starts and neither Arrow nor numpy is
imported, so one changed trial costs its parse and a few statements. The pipeline's own small
tables (trials to replace, statuses, the search space) are bound the same way.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import duckdb

from ..store.sqlfiles import execute, fill
from ..store.views import quote_identifier
from .batch_columns import TABLE_COLUMNS

__all__ = ["FEW_TRIALS", "list_table", "read_few"]

# At most this many trials to read are parsed in this process; more go to the worker pool and
# its Arrow staging. benchmarks/bench_ingest.py --few on 2 cores: the pool's start and
# pyarrow's import cost more than the second core saves up to 256 trials (even there), and
# less from 512 on.
FEW_TRIALS = 256
# A trial read again keeps its trials row, updated by these before load_trials inserts the new
# ones: rows inserted anew would make the checkpoint rewrite the table's wide JSON columns.
_IN_PLACE = ("ingest/update_trials", "ingest/update_trial_configs",
             "ingest/update_trial_metadata", "ingest/unstage_kept_trials")

_SQL_TYPES = {"str": "VARCHAR", "int": "INTEGER", "float": "DOUBLE", "bool": "BOOLEAN"}

# (experiment_id, its trials, the parser of that experiment's source: trials -> columns)
Job = tuple[str, tuple, Callable[[tuple], dict]]


def read_few(con: duckdb.DuckDBPyConnection, jobs: Sequence[Job], now: dt.datetime,
             on_progress: Callable[[int, int], None] | None = None) -> None:
    """Parse every job here, one after another, and insert its rows table by table (the trials
    rows of trials read again: updated in place, kept by ``pipeline``)."""
    total, done = sum(len(trials) for _, trials, _ in jobs), 0
    for experiment_id, trials, parse in jobs:
        for table, columns in parse(trials).items():
            n = len(columns["trial_uid"])
            if n:
                staged = columns | {"experiment_id": [experiment_id] * n}
                with list_table(con, "staged", staged, TABLE_COLUMNS[table]):
                    for name in _IN_PLACE if table == "trials" else ():
                        execute(con, name, now=now)
                    execute(con, f"ingest/load_{table}", now=now)
        done += len(trials)
        if on_progress:
            on_progress(done, total)


@contextmanager
def list_table(con: duckdb.DuckDBPyConnection, name: str, columns: dict[str, list],
               kinds: dict[str, str] | None = None) -> Iterator[None]:
    """``columns`` as the temporary table ``name`` while the block runs.

    ``kinds`` gives a column's kind (str, int, float, bool; unnamed columns are strings), typed
    as the batch tables are: None is NULL in every kind, and so is NaN in a float column
    (infinities stay; integers beyond a double's range become infinities).
    """
    kinds = kinds or {}
    selected, params = [], {}
    for i, (column, values) in enumerate(columns.items()):
        kind = kinds.get(column, "str")
        selected.append(f"unnest($c{i}::{_SQL_TYPES[kind]}[]) AS {quote_identifier(column)}")
        params[f"c{i}"] = [_double(v) for v in values] if kind == "float" else values
    table = quote_identifier(name)
    con.execute(fill("ingest/list_table", table=table, columns=", ".join(selected)).sql, params)
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
