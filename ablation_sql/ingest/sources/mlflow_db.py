"""MLflow's SQLite tracking database (``mlflow.db``), read with sqlite3 alone."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import dataclass
from pathlib import Path

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
from .mlflow_runs import PARENT_TAG, Run, RunData, experiments, write_run

__all__ = ["ACCEPTED_VERSIONS", "find_runs"]

# MLflow's tracking schema (alembic_version) revisions this reader knows, in order: from
# 39d1c3be5f05 (MLflow 1.x, metrics.is_nan) to dc11669786a5 (MLflow 3.17); the runs, params,
# metrics and tags tables it reads are the same in all of them.
ACCEPTED_VERSIONS = (
    "39d1c3be5f05", "c48cb773bb87", "bd07f7e963c5", "0c779009ac13", "cc1f77228345",
    "97727af70f4d", "3500859a5d39", "7f2a7d5fae7d", "2d6e25af4d3e", "acf3f17fdcc7",
    "867495a8f9d4", "5b0e9adcef9c", "4465047574b1", "f5a4f2784254", "0584bdc529eb",
    "400f98739977", "6953534de441", "bda7b8c39065", "cbc13b556ace", "770bee3ae1dd",
    "a1b2c3d4e5f6", "de4033877273", "1a0cddfcaa16", "534353b11cbc", "71994744cf8e",
    "3da73c924c2f", "bf29a5ff90ea", "1bd49d398cd23", "b7c8d9e0f1a2", "5d2d30f0abce",
    "c9d4e5f6a7b8", "2c33131f4dae", "d3e4f5a6b7c8", "d0e1f2a3b4c5", "c8d9e0f1a2b3",
    "1b5f0d9ad7c1", "e1f2a3b4c5d6", "76601a5f987d", "c3d6457b6d8a", "a5b4c3d2e1f0",
    "ae8bbe7743c9", "7d34483879f0", "da6fb0208061", "89d3d66ed43f", "b7e4c1a90f23",
    "a8b9c0d1e2f3", "c1d2e3f4a5b6", "c3d9e7f1a2b4", "6f8d9c3b2a1e", "1971f2d9a75b",
    "17e22815139b", "b7e2c1a4d9f3", "75868b020152", "dc11669786a5",
)
_IDS = "run_uuid IN (SELECT value FROM json_each(?))"



def find_runs(path: Path) -> list[SourceExperiment]:
    """Every live MLflow experiment of the database, its runs grouped (see ``mlflow_runs``)."""
    try:
        con = _open(path)
        try:
            return _experiments(path, con)
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise SourceProblem(f"{NOT_READ}the MLflow database cannot be read ({exc})") from None


def _open(path: Path) -> sqlite3.Connection:
    con = open_sqlite(path)
    try:
        versions = [str(v)[:40] for (v,) in con.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.Error:
        con.close()
        raise
    if len(versions) != 1 or versions[0] not in ACCEPTED_VERSIONS:
        con.close()
        raise SourceProblem(
            f"{NOT_READ}MLflow database schema version {', '.join(versions) or 'missing'} is "
            f"not one this reader accepts ({ACCEPTED_VERSIONS[0]} to {ACCEPTED_VERSIONS[-1]}: "
            "MLflow 1.x to 3.17)")
    return con


def _experiments(path: Path, con: sqlite3.Connection) -> list[SourceExperiment]:
    params: dict[str, dict[str, str]] = {}
    for run_id, key, value in con.execute("SELECT run_uuid, key, value FROM params"):
        params.setdefault(run_id, {})[str(key)] = str(value)
    tags: dict[str, dict[str, str]] = {}
    for run_id, key, value in con.execute(
            "SELECT run_uuid, key, value FROM tags WHERE key IN (?, 'mlflow.runName')",
            (PARENT_TAG,)):
        tags.setdefault(run_id, {})[str(key)] = str(value)
    stamps = dict(con.execute(
        "SELECT run_uuid, count(*) || ':' || max(step) || ':' || max(timestamp) "
        "FROM metrics GROUP BY run_uuid").fetchall())
    runs: dict[str, list[Run]] = {}
    for run_id, name, status, end, experiment_id in con.execute(
            "SELECT run_uuid, name, status, end_time, experiment_id FROM runs "
            "WHERE lifecycle_stage = 'active' ORDER BY start_time, run_uuid"):
        run_tags = tags.get(run_id, {})
        fingerprint = digest(status, end, stamps.get(run_id), params.get(run_id))
        runs.setdefault(str(experiment_id), []).append(Run(
            str(run_id), f"{path}#{run_id}", fingerprint, params.get(run_id, {}),
            run_tags.get(PARENT_TAG), name or run_tags.get("mlflow.runName")))
    found = []
    for experiment_id, name in con.execute(
            "SELECT experiment_id, name FROM experiments WHERE lifecycle_stage = 'active' "
            "ORDER BY experiment_id"):
        if str(experiment_id) in runs:
            found += experiments(str(path), str(experiment_id), str(name),
                                 runs[str(experiment_id)],
                                 lambda numeric: MlflowDbReader(str(path), numeric))
    return found


@dataclass(frozen=True)
class MlflowDbReader:
    """Reads a batch of runs of one database (in a worker)."""

    path: str
    numeric: frozenset[str]

    def parse(self, trials: tuple[SourceTrial, ...]) -> Batch:
        batch = new_batch()
        ids = json.dumps([t.uid for t in trials])
        try:
            con = _open(Path(self.path))
            try:
                data = self._read(con, ids)
            finally:
                con.close()
        except (sqlite3.Error, SourceProblem) as exc:
            for trial in trials:
                TrialRows(batch, trial).error(self.path, f"run not read: {exc}")
            return batch
        for trial in trials:
            if trial.uid in data:
                write_run(batch, trial, data[trial.uid], self.numeric, [])
            else:
                TrialRows(batch, trial).error(self.path, "the run is no longer in the database")
        return batch

    @staticmethod
    def _read(con: sqlite3.Connection, ids: str) -> dict[str, RunData]:
        data = {}
        for run_id, name, status, start, end, experiment_id, user in con.execute(
                f"SELECT run_uuid, name, status, start_time, end_time, experiment_id, user_id "
                f"FROM runs WHERE {_IDS}", (ids,)):
            data[run_id] = RunData(str(status), info={
                "run_id": run_id, "run_name": name, "experiment_id": experiment_id,
                "start_time": start, "end_time": end, "user_id": user})
        for run_id, key, value in con.execute(
                f"SELECT run_uuid, key, value FROM params WHERE {_IDS}", (ids,)):
            data[run_id].params[str(key)] = str(value)
        for run_id, key, value in con.execute(
                f"SELECT run_uuid, key, value FROM tags WHERE {_IDS}", (ids,)):
            data[run_id].tags[str(key)] = str(value)
        for run_id, key, value, step, is_nan in con.execute(
                f"SELECT run_uuid, key, value, step, is_nan FROM metrics WHERE {_IDS} "
                f"ORDER BY timestamp, step", (ids,)):
            data[run_id].metrics.append((str(key), step, math.nan if is_nan else value))
        return data
