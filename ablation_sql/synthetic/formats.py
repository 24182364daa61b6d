"""The simulated trials written as an Optuna SQLite storage, a Ray Tune experiment folder or an
MLflow file store instead of an ABLATOR folder: the same model, so the same planted truth.

Each trial reports val_loss, val_accuracy, train_loss and train_accuracy once per epoch (the
epoch is the step; Ray's training_iteration counts from 1); a failed trial's last val_loss is
the diverged value. Optuna's objective is val_accuracy (maximised), its intermediate values the
per-epoch val_accuracy. With repeats, each trial's ``random_seed`` is one more parameter (in
Optuna an integer distribution over the experiment's seeds). Only the libraries' file formats
are written: none is imported.
"""

from __future__ import annotations

import json
import math
import sqlite3
from contextlib import closing
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import ACT, LEVELS, LR, NF1, NF2, Simulation

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["FORMATS", "write_format"]

FORMATS = ("ablator", "optuna", "ray", "mlflow")
METRICS = ("val_loss", "val_accuracy", "train_loss", "train_accuracy")
_OPTUNA_STATE = {"complete": "COMPLETE", "running": "RUNNING", "failed": "FAIL"}
_RAY_STATUS = {"complete": "TERMINATED", "running": "RUNNING", "failed": "ERROR"}
_MLFLOW_STATUS = {"complete": 3, "running": 1, "failed": 4}  # RunStatus in meta.yaml
_DISTRIBUTIONS = {
    NF1: {"name": "IntDistribution", "attributes": {"log": False, "step": 1, "low": 32,
                                                    "high": 128}},
    NF2: {"name": "IntDistribution", "attributes": {"log": False, "step": 1, "low": 64,
                                                    "high": 256}},
    LR: {"name": "FloatDistribution", "attributes": {"step": None, "low": 0.0001, "high": 0.1,
                                                     "log": True}},
    ACT: {"name": "CategoricalDistribution", "attributes": {"choices": list(LEVELS)}},
}


SEED = "random_seed"


def write_format(kind: str, out: Path, sim: Simulation, seeds: Sequence[int] = ()) -> None:
    """Write the simulated trials into ``out`` (an empty folder) in ``kind``'s format;
    ``seeds``: each trial's ``random_seed`` (none: not written)."""
    {"optuna": _optuna, "ray": _ray, "mlflow": _mlflow}[kind](out, sim, list(seeds))


def _values(sim: Simulation, seeds: list[int], i: int) -> dict[str, Any]:
    """The trial's parameters: its sampled values and, with repeats, its seed."""
    return sim.values[i] | ({SEED: seeds[i]} if seeds else {})


def _reports(sim: Simulation, i: int) -> list[dict[str, float]]:
    """The trial's per-epoch metrics, as reported."""
    rows = [dict(zip(METRICS, sim.metrics[i, step].tolist(), strict=True))
            for step in range(sim.rows[i])]
    if sim.statuses[i] == "failed" and rows:
        rows[-1]["val_loss"] = sim.diverged[i]
    return rows


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def _optuna(out: Path, sim: Simulation, seeds: list[int]) -> None:
    schema = resources.files("ablation_sql.synthetic") / "sql" / "optuna_schema.sql"
    trials, params, values, steps = [], [], [], []
    distributions = _DISTRIBUTIONS | ({SEED: {"name": "IntDistribution", "attributes": {
        "log": False, "step": 1, "low": min(seeds), "high": max(seeds)}}} if seeds else {})
    for i, status in enumerate(sim.statuses):
        reports = _reports(sim, i)
        done = _when(float(sim.stamps[i, sim.rows[i] - 1])) if status != "running" else None
        trials.append((i + 1, i, 1, _OPTUNA_STATE[status], _when(float(sim.start[i])), done))
        for name, spec in distributions.items():
            value = _values(sim, seeds, i)[name]
            stored = LEVELS.index(value) if name == ACT else value
            params.append((i + 1, name, float(stored), json.dumps(spec)))
        for step, report in enumerate(reports):
            steps.append((i + 1, step) + _optuna_value(report["val_accuracy"]))
        if status == "complete":
            values.append((i + 1, 0) + _optuna_value(reports[-1]["val_accuracy"]))
    with closing(sqlite3.connect(out / "optuna.db")) as con, con:
        con.executescript(schema.read_text("utf-8"))
        con.execute("INSERT INTO studies VALUES (1, ?)", (out.name,))
        con.execute("INSERT INTO study_directions VALUES (1, 'MAXIMIZE', 1, 0)")
        con.execute("INSERT INTO study_system_attributes VALUES (1, 1, 'study:metric_names', "
                    "'[\"val_accuracy\"]')")
        con.execute("INSERT INTO version_info VALUES (1, 12, '5.0.0')")
        con.execute("INSERT INTO alembic_version VALUES ('v3.2.0.a')")
        con.executemany("INSERT INTO trials VALUES (?, ?, ?, ?, ?, ?)", trials)
        con.executemany("INSERT INTO trial_params (trial_id, param_name, param_value, "
                        "distribution_json) VALUES (?, ?, ?, ?)", params)
        con.executemany("INSERT INTO trial_values (trial_id, objective, value, value_type) "
                        "VALUES (?, ?, ?, ?)", values)
        con.executemany("INSERT INTO trial_intermediate_values (trial_id, step, "
                        "intermediate_value, intermediate_value_type) VALUES (?, ?, ?, ?)",
                        steps)


def _optuna_value(value: float) -> tuple[float | None, str]:
    """A value and its value-type column, as Optuna stores infinities and NaN."""
    if math.isnan(value):
        return None, "NAN"
    if math.isinf(value):
        return None, "INF_POS" if value > 0 else "INF_NEG"
    return value, "FINITE"


def _nested(values: dict[str, Any]) -> dict[str, Any]:
    """Dotted names as the nested configuration Ray Tune keeps."""
    config: dict[str, Any] = {}
    for name, value in values.items():
        *parents, leaf = name.split(".")
        node = config
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return config


def _ray(out: Path, sim: Simulation, seeds: list[int]) -> None:
    states = []
    for i, status in enumerate(sim.statuses):
        name = f"train_{i:05d}_{i}"
        folder = out / name
        folder.mkdir()
        config = _nested(_values(sim, seeds, i))
        (folder / "params.json").write_text(json.dumps(config, indent=2))
        lines = [json.dumps(report | {"training_iteration": step + 1, "done": False,
                                      "trial_id": f"{i:05d}", "config": config})
                 for step, report in enumerate(_reports(sim, i))]
        (folder / "result.json").write_text("".join(line + "\n" for line in lines))
        if status == "failed":
            (folder / "error.txt").write_text(
                "Failure # 1 (occurred at the last epoch)\nTraceback (most recent call last):\n"
                f"ValueError: loss diverged to {sim.diverged[i]}\n")
        states.append([json.dumps({"trial_id": f"{i:05d}", "config": config,
                                   "status": _RAY_STATUS[status], "relative_logdir": name}),
                       "{}"])
    state = {"trial_data": states, "runner_data": {"_metric": "val_accuracy"}, "stats": {}}
    (out / "experiment_state-synthetic.json").write_text(json.dumps(state))


def _mlflow(out: Path, sim: Simulation, seeds: list[int]) -> None:
    experiment = out / "1"
    experiment.mkdir()
    (experiment / "meta.yaml").write_text(
        f"artifact_location: file://{experiment}\ncreation_time: {int(sim.start[0] * 1000)}\n"
        f"experiment_id: '1'\nlast_update_time: {int(sim.start[0] * 1000)}\n"
        f"lifecycle_stage: active\nname: {json.dumps(out.name)}\n")
    for i, status in enumerate(sim.statuses):
        run_id = f"{i:032x}"
        run = experiment / run_id
        for sub in ("params", "metrics", "tags"):
            (run / sub).mkdir(parents=True)
        start = int(sim.start[i] * 1000)
        (run / "meta.yaml").write_text(  # the fields of MLflow's RunInfo, as it writes them
            f"artifact_uri: file://{run}/artifacts\nend_time: {start + 1000}\n"
            f"entry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\n"
            f"run_id: '{run_id}'\nrun_name: trial-{i}\nrun_uuid: '{run_id}'\nsource_name: ''\n"
            f"source_type: 4\nsource_version: ''\nstart_time: {start}\n"
            f"status: {_MLFLOW_STATUS[status]}\ntags: []\nuser_id: synthetic\n")
        for name, value in _values(sim, seeds, i).items():
            (run / "params" / name).write_text(str(value))
        (run / "tags" / "mlflow.runName").write_text(f"trial-{i}")
        reports = _reports(sim, i)
        for metric in METRICS:
            (run / "metrics" / metric).write_text("".join(
                f"{start + step} {report[metric]!r} {step}\n"
                for step, report in enumerate(reports)))
