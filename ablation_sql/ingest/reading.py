"""Reading the changed trials: batches parsed on workers into Arrow tables, staged (as Parquet,
which local workers write themselves, or as they are for a database in memory) and loaded into
the database in one statement per table."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import duckdb
import pyarrow as pa

from .batch_columns import TABLE_COLUMNS
from .batch_tables import to_arrow
from .parallel import run_batches
from .staging import Stage, write_parts

__all__ = ["Job", "parse_job", "read_batches"]

# (experiment_id, the batch's trials, the parser of that experiment's source: trials -> columns)
Job = tuple[str, tuple, Callable[[tuple], dict]]


def read_batches(con: duckdb.DuckDBPyConnection, batches: Sequence[Job], now: dt.datetime, *,
                 workers: int, scheduler: Any = None, in_memory: bool = False,
                 on_progress: Callable[[int, int], None] | None = None) -> None:
    """Parse ``batches`` (see ``parallel.run_batches``) and load their rows into ``con``;
    ``in_memory``: keep the batches as Arrow tables until the load (for a database in memory,
    or few trials) rather than as Parquet files."""
    total, done = sum(len(trials) for _, trials, _ in batches), 0
    with Stage(in_memory=in_memory) as stage:
        into = stage.folder if scheduler is None else None  # local workers see the folder
        jobs = [(number, into, job) for number, job in enumerate(batches)]
        for number, experiment_id, n_trials, tables in run_batches(
                parse_job, jobs, workers=workers, scheduler=scheduler):
            stage.add(number, experiment_id, tables)
            done += n_trials
            if on_progress:
                on_progress(done, total)
        stage.load(con, now)


def parse_job(job: tuple[int, str | None, Job]
              ) -> tuple[int, str, int, dict[str, pa.Table] | dict[str, str]]:
    """Runs on a worker: parse batch ``number``. Given a staging folder ``into`` (a local
    worker sees it), write its tables there as Parquet and hand back their paths; else hand
    back the Arrow tables (cheap to send)."""
    number, into, (experiment_id, trials, parse) = job
    batch = parse(trials)
    tables = {name: to_arrow(columns, TABLE_COLUMNS[name])
              for name, columns in batch.items() if len(columns["trial_uid"])}
    if into is None:
        return number, experiment_id, len(trials), tables
    return number, experiment_id, len(trials), write_parts(into, number, experiment_id, tables)
