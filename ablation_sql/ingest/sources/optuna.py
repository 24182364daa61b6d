"""Optuna RDB storages (SQLite), read with sqlite3 alone: no optuna, nothing unpickled.

Each study is an experiment, each trial a trial (``trial_<number>``); parameters decode through
their ``distribution_json``; objective values and intermediate values are metrics (the value
named after the first objective at each intermediate step, every objective's final value one
step after the last), Optuna's value-type columns giving infinities and NaN.
"""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch_columns import Batch
from ..discover import NOT_READ
from .base import (
    SourceExperiment,
    SourceProblem,
    SourceTrial,
    TrialRows,
    digest,
    new_batch,
    open_sqlite,
)
from .optuna_params import ParamProblem, decode, search_space

__all__ = ["ACCEPTED_VERSIONS", "TABLES", "find_studies"]

# Optuna's storage schema (alembic_version) revisions this reader knows, those with the
# value-type columns: written by Optuna 3.0 to 5.0 (older ones: `optuna storage upgrade`).
ACCEPTED_VERSIONS = ("v3.0.0.d", "v3.2.0.a")
TABLES = frozenset({"studies", "trials", "trial_params", "trial_values",
                    "trial_intermediate_values", "study_directions", "alembic_version"})
STATUS = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed", "RUNNING": "running",
          "WAITING": "waiting"}
_SPECIAL = {"INF_POS": math.inf, "INF_NEG": -math.inf, "NAN": math.nan}
_DIRECTION = {"MINIMIZE": "min", "MAXIMIZE": "max"}
_SPACE = "from each parameter's distribution_json"



def find_studies(path: Path) -> list[SourceExperiment]:
    """Every study of the storage; SourceProblem when it cannot be read."""
    try:
        with _open(path) as con:
            return [_study(path, con, study_id, name)
                    for study_id, name in con.execute(
                        "SELECT study_id, study_name FROM studies ORDER BY study_id")]
    except sqlite3.Error as exc:
        raise SourceProblem(f"{NOT_READ}the Optuna storage cannot be read ({exc})") from None


class _open:
    """A read-only connection whose schema version was checked."""

    def __init__(self, path: Path):
        self.con = open_sqlite(path)

    def __enter__(self) -> sqlite3.Connection:
        try:
            rows = self.con.execute("SELECT version_num FROM alembic_version").fetchall()
        except sqlite3.Error:
            self.con.close()
            raise
        versions = [str(v)[:40] for (v,) in rows]
        if len(versions) != 1 or versions[0] not in ACCEPTED_VERSIONS:
            self.con.close()
            raise SourceProblem(
                f"{NOT_READ}Optuna storage schema version {', '.join(versions) or 'missing'} "
                f"is not one this reader accepts ({', '.join(ACCEPTED_VERSIONS)}; an older "
                "one is upgraded by `optuna storage upgrade`)")
        return self.con

    def __exit__(self, *exc: object) -> None:
        self.con.close()


def _study(path: Path, con: sqlite3.Connection, study_id: int, name: str) -> SourceExperiment:
    problems: list[str] = []
    system = _attributes(con, "study_system_attributes", "study_id", study_id, problems)
    user = _attributes(con, "study_user_attributes", "study_id", study_id, problems)
    directions = con.execute("SELECT objective, direction FROM study_directions "
                             "WHERE study_id = ? ORDER BY objective", (study_id,)).fetchall()
    names = _objective_names(system, len(directions))
    optim = [(names[i], _DIRECTION[d]) for i, (_, d) in enumerate(directions)
             if d in _DIRECTION]
    distributions = con.execute(
        "SELECT DISTINCT p.param_name, p.distribution_json FROM trial_params p "
        "JOIN trials t USING (trial_id) WHERE t.study_id = ? ORDER BY p.param_id",
        (study_id,)).fetchall()
    space = search_space(distributions, problems)
    trials = tuple(
        SourceTrial(f"trial_{number}", str(path), digest(*rest), str(trial_id))
        for trial_id, number, *rest in con.execute(_TRIAL_STAMPS, (study_id,)))
    reader = OptunaReader(str(path), tuple(names))
    description = {"storage": str(path), "study_name": str(name), "search_space": _SPACE,
                   "directions": [d for _, d in directions], "metric_names": names,
                   "system_attrs": system, "user_attrs": user}
    key = f"{path}#{name}"
    return SourceExperiment(
        "optuna", key, str(name), digest(description, distributions), trials, reader,
        description, space, optim, [(path, p) for p in problems])


_TRIAL_STAMPS = """
SELECT t.trial_id, t.number, t.state, t.datetime_start, t.datetime_complete,
       (SELECT count(*) || ':' || coalesce(max(step), '') FROM trial_intermediate_values i
        WHERE i.trial_id = t.trial_id),
       (SELECT group_concat(coalesce(value, value_type)) FROM trial_values v
        WHERE v.trial_id = t.trial_id),
       (SELECT count(*) FROM trial_params p WHERE p.trial_id = t.trial_id)
FROM trials t WHERE t.study_id = ? ORDER BY t.number
"""


def _objective_names(system: dict[str, Any], n: int) -> list[str]:
    """Names set by ``study.set_metric_names`` when present, else Optuna's own column names."""
    names = system.get("study:metric_names")
    if isinstance(names, list) and len(names) == n and all(isinstance(x, str) for x in names) \
            and len(set(names)) == n:
        return names
    return ["value"] if n <= 1 else [f"values_{i}" for i in range(n)]


def _attributes(con: sqlite3.Connection, table: str, column: str, owner: int,
                problems: list[str]) -> dict[str, Any]:
    # table and column are this module's constants, never names read from the file
    found = {}
    for key, text in con.execute(f"SELECT key, value_json FROM {table} WHERE {column} = ?",
                                 (owner,)):
        try:
            found[str(key)] = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            problems.append(f"{table} {str(key)[:60]!r} is not valid JSON: left out")
    return found


@dataclass(frozen=True)
class OptunaReader:
    """Reads a batch of trials of one storage (in a worker)."""

    path: str
    objectives: tuple[str, ...]

    def parse(self, trials: tuple[SourceTrial, ...]) -> Batch:
        batch = new_batch()
        ids = json.dumps([int(t.key) for t in trials])
        try:
            with _open(Path(self.path)) as con:
                rows = {name: _grouped(con.execute(sql, (ids,)))
                        for name, sql in _BATCH_QUERIES.items()}
        except (sqlite3.Error, SourceProblem) as exc:
            for trial in trials:
                TrialRows(batch, trial).error(self.path, f"trial not read: {exc}")
            return batch
        for trial in trials:
            self._trial(batch, trial, {name: table.get(int(trial.key), [])
                                       for name, table in rows.items()})
        return batch

    def _trial(self, batch: Batch, trial: SourceTrial, rows: dict[str, list]) -> None:
        out = TrialRows(batch, trial)
        config: dict[str, Any] = {}
        for name, value, distribution in rows["params"]:
            try:
                config[str(name)] = decode(value, distribution)
            except ParamProblem as exc:
                out.error(self.path, f"{trial.uid} parameter {str(name)[:80]}: {exc}")
                continue
            out.param(str(name), config[str(name)])
        last = -1
        for step, value, kind in rows["intermediate"]:
            out.metric(step, self.objectives[0], _special(value, kind))
            last = max(last, step) if type(step) is int else last
        for objective, value, kind in rows["values"]:
            known = type(objective) is int and 0 <= objective < len(self.objectives)
            name = self.objectives[objective] if known else f"values_{str(objective)[:40]}"
            out.metric(last + 1, name, _special(value, kind))
        system = _decoded(rows["system"])
        number, state, started, completed = rows["trial"][0] if rows["trial"] else (
            None, None, None, None)
        status = STATUS.get(str(state), "unknown")
        reason = system.get("fail_reason")
        out.finish(status, config,
                   {"number": number, "trial_id": int(trial.key), "state": state,
                    "datetime_start": started, "datetime_complete": completed,
                    "user_attrs": _decoded(rows["user"]), "system_attrs": system},
                   str(reason) if reason is not None else None)


_IDS = "trial_id IN (SELECT value FROM json_each(?))"
_BATCH_QUERIES = {
    "trial": f"SELECT trial_id, number, state, datetime_start, datetime_complete "
             f"FROM trials WHERE {_IDS}",
    "params": f"SELECT trial_id, param_name, param_value, distribution_json "
              f"FROM trial_params WHERE {_IDS} ORDER BY param_id",
    "values": f"SELECT trial_id, objective, value, value_type FROM trial_values "
              f"WHERE {_IDS} ORDER BY objective",
    "intermediate": f"SELECT trial_id, step, intermediate_value, intermediate_value_type "
                    f"FROM trial_intermediate_values WHERE {_IDS} ORDER BY step",
    "user": f"SELECT trial_id, key, value_json FROM trial_user_attributes WHERE {_IDS}",
    "system": f"SELECT trial_id, key, value_json FROM trial_system_attributes WHERE {_IDS}",
}


def _grouped(rows: sqlite3.Cursor) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = {}
    for trial_id, *rest in rows:
        grouped.setdefault(trial_id, []).append(tuple(rest))
    return grouped


def _special(value: Any, kind: Any) -> Any:
    """The value, or the infinity/NaN its value-type column says it is."""
    return _SPECIAL.get(kind, value)


def _decoded(rows: list[tuple]) -> dict[str, Any]:
    found = {}
    for key, text in rows:
        try:
            found[str(key)] = json.loads(text)
        except (TypeError, ValueError, RecursionError):
            found[str(key)] = text
    return found
