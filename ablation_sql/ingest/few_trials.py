"""The way of an ingest with few trials to read: parsed in this process and inserted by DuckDB
from Python lists bound as list parameters. No worker starts and neither Arrow nor numpy is
imported, so one changed trial costs its parse and a few statements. The rows of a trial read
again change only where they differ: its trials row is updated in place, only in the columns
that changed (``read_again``), its problems are replaced only when it has some, before or now,
and of its params, metrics and metrics_other rows only those not as they were are deleted and
inserted, so that a trial whose files were touched but say the same leaves the tables, the
views' columns and ``trial_best_cache`` as they were.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

import duckdb

from ..store.sqlfiles import execute, fill
from ..store.views import quote_identifier
from .batch_columns import TABLE_COLUMNS, Batch, new_batch
from .list_tables import list_table
from .read_again import StoredTrials, update_in_place

__all__ = ["FEW_TRIALS", "Changed", "read_few"]

# At most this many trials to read are parsed in this process; more go to the worker pool and
# its Arrow staging. benchmarks/bench_ingest.py --few on 2 cores: the pool's start and
# pyarrow's import cost more than the second core saves up to 256 trials (even there), and
# less from 512 on.
FEW_TRIALS = 256

# The tables whose rows of a trial read again are replaced only where they changed; their rows
# are compared when at most DIFF_TRIALS trials of an experiment are read (comparing costs about
# 1.5 ms a trial; keeping them spares a fixed 40 ms or more: the views' columns check, the
# trials' trial_best_cache rows, their deletion and insertion), else all are replaced.
_DIFFED = ("params", "metrics", "metrics_other")
DIFF_TRIALS = 16

# (experiment_id, its trials, the parser of that experiment's source: trials -> columns)
Job = tuple[str, tuple, Callable[[tuple], dict]]


@dataclass
class Changed:
    """What ``read_few`` changed: by experiment, the trials whose metrics rows it deleted or
    inserted, and the (trial_uid, fingerprint) of every trials row it wrote; and whether it
    deleted or inserted any params, metrics or metrics_other row."""

    metrics: dict[str, set[str]] = field(default_factory=dict)
    written: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    rows: bool = False


def read_few(con: duckdb.DuckDBPyConnection, jobs: Sequence[Job], now: dt.datetime,
             on_progress: Callable[[int, int], None] | None = None,
             kept: Mapping[str, Collection[str]] | None = None,
             stored: Mapping[str, StoredTrials] | None = None) -> Changed:
    """Parse every job here, one after another, then insert each experiment's rows table by
    table (the trials rows of trials read again: updated in place; their problems: replaced
    when they have some, before or now; their other rows: replaced where they changed).
    ``kept``: by experiment, the trials whose config was not read again
    (``read_again.kept_configs``): their params rows stay as they are. ``stored``: by
    experiment, what is stored of its trials read (``read_again.stored_trials``)."""
    total, done = sum(len(trials) for _, trials, _ in jobs), 0
    parsed: dict[str, tuple[list, Batch]] = {}
    for experiment_id, trials, parse in jobs:
        read, batch = parsed.setdefault(experiment_id, ([], new_batch()))
        read.extend(trials)
        for table, columns in parse(trials).items():
            for column, values in columns.items():
                batch[table][column].extend(values)
        done += len(trials)
        if on_progress:
            on_progress(done, total)
    changed = Changed()
    for experiment_id, (read, batch) in parsed.items():
        before = (stored or {}).get(experiment_id, StoredTrials())
        for table, columns in batch.items():
            if table == "trials":
                changed.written[experiment_id] = list(zip(columns["trial_uid"],
                                                          columns["fingerprint"], strict=True))
                again = {uid for uid in columns["trial_uid"] if uid in before.rows}
                if again:
                    update_in_place(con, experiment_id, _rows_of(columns, again), before, now)
                columns = _rows_of(columns, set(columns["trial_uid"]) - again)
            elif table == "errors":
                _clear_problems(con, experiment_id, read, columns, before)
            elif table in _DIFFED:
                stays = kept.get(experiment_id, ()) if kept and table == "params" else ()
                compared = [trial for trial in read if trial.uid not in stays]
                found = _changed_trials(con, table, experiment_id, compared, columns)
                changed.rows = changed.rows or bool(found)
                if table == "metrics":
                    changed.metrics[experiment_id] = found
                if not found:
                    continue
                execute(con, fill("ingest/delete_changed_rows", table=quote_identifier(table)),
                        experiment_id=experiment_id, trial_uids=sorted(found))
                columns = _rows_of(columns, found)
            n = len(columns["trial_uid"])
            if n:
                staged = columns | {"experiment_id": [experiment_id] * n}
                with list_table(con, "staged", staged, TABLE_COLUMNS[table]):
                    execute(con, f"ingest/load_{table}", now=now)
    return changed


def _clear_problems(con: duckdb.DuckDBPyConnection, experiment_id: str, read: list,
                    columns: dict[str, list], before: StoredTrials) -> None:
    """Delete the problems recorded for the trials ``read`` that have some, before or now
    (now: in ``columns``, the problems found, inserted next)."""
    replaced = set(columns["trial_uid"]) | {trial.uid for trial in read
                                            if trial.uid in before.problems}
    if replaced:
        execute(con, fill("ingest/delete_changed_rows", table=quote_identifier("ingest_errors")),
                experiment_id=experiment_id, trial_uids=sorted(replaced))


def _changed_trials(con: duckdb.DuckDBPyConnection, table: str, experiment_id: str,
                    trials: list, columns: dict[str, list]) -> set[str]:
    """The trials whose rows in ``table`` differ from ``columns`` (the rows read now), compared
    as multisets of rows (every trial, beyond ``DIFF_TRIALS``). Values equal in Python are
    equal as stored, but for the sign of a zero double, compared apart; values stored
    otherwise (NaN as NULL, an integer beyond a double as an infinity) differ here, and their
    trial is replaced as if it changed."""
    if not trials or len(trials) > DIFF_TRIALS:
        return {trial.uid for trial in trials}
    names = list(TABLE_COLUMNS[table])
    doubles = [i for i, c in enumerate(names) if TABLE_COLUMNS[table][c] == "float"]
    old = execute(con, fill("ingest/trial_rows", table=quote_identifier(table),
                            columns=", ".join(map(quote_identifier, names))),
                  experiment_id=experiment_id, trial_uids=[trial.uid for trial in trials])
    new = list(zip(*(columns[c] for c in names), strict=True))
    seen = [_by_trial(rows, doubles) for rows in (old, new)]
    return {trial.uid for trial in trials
            if seen[0].get(trial.uid) != seen[1].get(trial.uid)}


def _by_trial(rows: list[tuple], doubles: list[int]) -> dict[str, tuple[Counter, Counter]]:
    """Each trial's rows (the first column) counted, and apart its rows holding a zero double
    with the signs of their zeros."""
    grouped: dict[str, list[tuple]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return {uid: (Counter(group), Counter(
        (row, tuple(math.copysign(1, row[i]) if isinstance(row[i], float) else 1
                    for i in doubles))
        for row in group if any(row[i] == 0 for i in doubles))) for uid, group in grouped.items()}


def _rows_of(columns: dict[str, list], uids: set[str]) -> dict[str, list]:
    """The rows of ``columns`` (in their order) of the trials ``uids``."""
    keep = [i for i, uid in enumerate(columns["trial_uid"]) if uid in uids]
    return {c: [values[i] for i in keep] for c, values in columns.items()}
