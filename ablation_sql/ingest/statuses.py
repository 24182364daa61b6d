"""Trials' statuses from an ABLATOR experiment's state dbs (or, where they name no trial, what
its files say)."""

from __future__ import annotations

import datetime as dt

import duckdb

from ..store.sqlfiles import execute
from .discover import ExperimentFolder
from .experiment_rows import insert_problems
from .list_tables import list_table

__all__ = ["update_status"]


def update_status(con: duckdb.DuckDBPyConnection, experiment_id: str, folder: ExperimentFolder,
                  read: list[str], state_changed: bool, now: dt.datetime) -> None:
    """Statuses from the state dbs: of every trial when they changed (and their problems
    recorded again), else of the trials ``read`` now only (the others' are as the same state
    dbs made them; only their config_uids' states are bound)."""
    from .parse_trials import config_uid
    from .state_db import STATUS_BY_CODE, read_state_db

    states = read_state_db(list(folder.state_dbs))
    if state_changed:
        execute(con, "ingest/clear_state_errors", experiment_id=experiment_id,
                paths=[str(p) for p in folder.state_dbs])
        insert_problems(con, experiment_id, states.problems, now)
    only = None if state_changed else read
    wanted = states.states if only is None else {config_uid(uid) for uid in only}
    known = {uid: code for uid in sorted(wanted)
             if (code := states.state_of(uid)) is not None}
    table: dict[str, list] = {
        "config_uid": list(known),
        "status": [STATUS_BY_CODE[code] for code in known.values()],
        "state_code": list(known.values()),
        "runtime_errors": [states.runtime_errors.get(uid) for uid in known],
    }
    with list_table(con, "trial_states", table,
                    {"state_code": "int", "runtime_errors": "int"}):
        execute(con, "ingest/update_status", experiment_id=experiment_id, trial_uids=only)
