"""Trials read again in the ingest's process (``few_trials``): what is stored of them, read in
one statement before they are parsed, so that only what differs is written. Of a trial's row,
only the columns whose value changed are updated (each column updated makes the checkpoint
rewrite it; a row inserted anew, every column, the wide JSON ones included); a trial whose
config.yaml is as it was (the same size and mtime) keeps its stored config, the problems
recorded for it and its params rows without the file being read again, so that a trial whose
results alone changed is read without PyYAML."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from ..store.sqlfiles import execute, fill
from ..store.views import quote_identifier
from .batch_columns import TABLE_COLUMNS
from .discover import TrialFolder
from .list_tables import bound_lists

if TYPE_CHECKING:
    from .parse_trials import Kept

__all__ = ["StoredTrials", "kept_configs", "same_config", "stored_trials", "update_in_place"]

# The columns of a trial's row that a read sets (ingested_at apart), in stored_trials' order.
_UPDATED = ("path", "inferred_status", "n_steps", "results_complete", "config", "config_uid",
            "metadata", "fingerprint", "failure_reason", "status", "status_source")


@dataclass
class StoredTrials:
    """Of an experiment's trials to read: their rows as stored (the columns a read sets, by
    trial_uid; trials with a row only) and the problems recorded for them, (path, reason) in
    the order recorded (trials with some only)."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def same_config(old: str, new: str) -> bool:
    """Whether two fingerprints of a trial (``discover``'s, config.yaml's first) give its
    config.yaml the same size and mtime (a file there and regular in both)."""
    before, now = old.partition(";")[0], new.partition(";")[0]
    return before == now and before.count(":") == 2


def stored_trials(con: duckdb.DuckDBPyConnection, experiment_id: str,
                  trial_uids: Sequence[str]) -> StoredTrials:
    """What is stored of the trials ``trial_uids`` of ``experiment_id``, in one statement."""
    stored = StoredTrials()
    if trial_uids:
        for uid, n, *values, error in execute(con, "ingest/stored_trials",
                                              experiment_id=experiment_id,
                                              trial_uids=list(trial_uids)):
            if n:
                stored.problems.setdefault(uid, []).append((values[0], error))
            else:
                stored.rows[uid] = dict(zip(_UPDATED, values, strict=True))
    return stored


def kept_configs(stored: StoredTrials, trials: Sequence[TrialFolder]) -> Kept:
    """The stored config and config.yaml problems of ``trials`` (their config.yaml as it was),
    those still at the path they were read from."""
    kept: dict[str, tuple[str | None, list[str]]] = {}
    for trial in trials:
        row = stored.rows.get(trial.uid)
        if row is not None and row["path"] == trial.path:
            config = os.path.join(trial.path, "config.yaml")
            kept[trial.uid] = (row["config"], [reason for path, reason in
                                               stored.problems.get(trial.uid, ())
                                               if path == config])
    return kept


def update_in_place(con: duckdb.DuckDBPyConnection, experiment_id: str,
                    columns: dict[str, list], stored: StoredTrials, now: dt.datetime) -> None:
    """Update the rows of the trials read again, ``columns`` (the trials batch table's, of
    trials with a row): of each, the columns whose value changed, and ingested_at; one
    statement per set of columns changed. Its status stays the state db's where the state db
    named it (state_code and runtime_errors kept), else becomes what its files now say
    (``statuses.update_status`` restates it when the state dbs changed, or it was missing)."""
    groups: dict[tuple[str, ...], dict[str, list]] = {}
    for i, uid in enumerate(columns["trial_uid"]):
        old = stored.rows[uid]
        new = {c: columns[c][i] for c in _UPDATED[:-2]}
        if old["status_source"] != "state_db":
            new |= {"status": new["inferred_status"], "status_source": "inferred"}
        changed = tuple(c for c, v in new.items() if v != old[c] or type(v) is not type(old[c]))
        group = groups.setdefault(changed, {c: [] for c in ("trial_uid", *changed)})
        for c, values in group.items():
            values.append(uid if c == "trial_uid" else new[c])
    for changed, rows in groups.items():
        (uids, *lists), params = bound_lists(rows, TABLE_COLUMNS["trials"])
        assignments = "".join(f"{quote_identifier(c)} = list_extract({values}, "
                              f"list_position({uids}, trial_uid)), "
                              for c, values in zip(changed, lists, strict=True))
        con.execute(fill("ingest/update_trials", assignments=assignments, uids=uids).sql,
                    params | {"experiment_id": experiment_id, "now": now})
