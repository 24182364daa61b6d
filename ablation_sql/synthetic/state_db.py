"""ABLATOR's optuna state db (``*_state.db``) as ABLATOR writes it for a simulated
experiment: one ``trial`` row per trial, every BLOB a pickle."""

from __future__ import annotations

import pickle
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from ..ingest.state_db import state_blob
from .model import ACT, LEVELS, LR, NF1, NF2, STATE_CODES, STATUS_STATE, Simulation, with_values

__all__ = ["write_state_db"]

_TRIAL_SQL = (
    "CREATE TABLE trial (\n\tid INTEGER NOT NULL, \n\tconfig_uid VARCHAR(30) NOT NULL, "
    "\n\tmetrics BLOB NOT NULL, \n\tconfig_param BLOB NOT NULL, \n\taug_config_param BLOB "
    "NOT NULL, \n\ttrial_uid INTEGER NOT NULL, \n\tstate BLOB NOT NULL, \n\truntime_errors "
    "INTEGER NOT NULL, \n\t_opt_distributions_kwargs BLOB, \n\t_opt_distributions_types BLOB, "
    "\n\t_opt_params BLOB, \n\tPRIMARY KEY (id)\n)"
)

def write_state_db(path: Path, sim: Simulation, master: dict[str, Any]) -> None:
    """ABLATOR's state db: one row per trial, every BLOB a pickle."""
    kwargs = pickle.dumps(
        {
            NF1: {"log": False, "step": 1, "low": 32, "high": 128},
            NF2: {"log": False, "step": 1, "low": 64, "high": 256},
            LR: {"step": None, "low": 0.0001, "high": 0.1, "log": True},
            ACT: {"choices": LEVELS},
        }
    )
    types = pickle.dumps(
        {
            NF1: "IntDistribution",
            NF2: "IntDistribution",
            LR: "FloatDistribution",
            ACT: "CategoricalDistribution",
        }
    )
    rows = []
    for i, (name, status, values) in enumerate(
        zip(sim.names, sim.statuses, sim.values, strict=True)
    ):
        params = pickle.dumps(values)
        evaluated = status not in ("empty_results", "empty_list_results")
        last = sim.diverged[i] if status == "failed" else float(sim.metrics[i, sim.rows[i] - 1, 0])
        metrics = [{"val_loss": last}] if evaluated else []
        config = pickle.dumps(with_values(master, values, master["experiment_dir"]))
        state = state_blob(STATE_CODES[STATUS_STATE[status]])
        metrics_blob = pickle.dumps(metrics)
        rows.append(
            (i + 1, name[:9], metrics_blob, config, params, i, state, 0, kwargs, types, params)
        )
    with closing(sqlite3.connect(path)) as con, con:
        con.execute(_TRIAL_SQL)
        con.executemany(f"INSERT INTO trial VALUES ({','.join('?' * 11)})", rows)
