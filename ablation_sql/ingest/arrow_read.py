"""Reading a moderate number of changed trials: batches parsed by the worker pool
(``parallel.run_batches`` of ``reading.parse_job``) and kept as the Arrow tables they arrive as
(``staging.Stage`` in memory) until one load per table. Writing them as Parquet and reading them
back, which keeps a large ingest's memory flat, cost 2,000 trials about as much of the ingest
process's time as the load itself; up to ``pipeline.ARROW_TRIALS`` the tables take little
memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import duckdb

from .parallel import run_batches
from .reading import Job, parse_job
from .staging import Stage

__all__ = ["read_in_memory"]


def read_in_memory(con: duckdb.DuckDBPyConnection, batches: Sequence[Job], now: dt.datetime, *,
                   workers: int, on_progress: Callable[[int, int], None] | None = None) -> None:
    """Parse ``batches`` on local workers and load their rows into ``con`` from memory."""
    total, done = sum(len(trials) for _, trials, _ in batches), 0
    with Stage(in_memory=True) as stage:
        for experiment_id, n_trials, tables in run_batches(parse_job, batches, workers=workers):
            stage.add(experiment_id, tables)
            done += n_trials
            if on_progress:
                on_progress(done, total)
        stage.load(con, now)
