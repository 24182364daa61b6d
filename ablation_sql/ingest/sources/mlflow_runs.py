"""MLflow runs, whichever store they come from: statuses, and runs grouped into experiments
(the child runs of one parent are one experiment; the other runs of an MLflow experiment
another), each with a search space inferred from its parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..batch_columns import Batch
from .base import Reader, SourceExperiment, SourceTrial, TrialRows, digest
from .space import INFERRED, infer, numeric_names, typed

__all__ = ["STATUS", "Run", "RunData", "experiments", "write_run"]

STATUS = {"FINISHED": "complete", "FAILED": "failed", "KILLED": "failed", "RUNNING": "running",
          "SCHEDULED": "waiting"}
PARENT_TAG = "mlflow.parentRunId"


@dataclass
class Run:
    """What discovery reads of a run: enough to group it and infer the search space."""

    run_id: str
    path: str
    fingerprint: str
    params: dict[str, str]
    parent: str | None = None
    name: str | None = None


@dataclass
class RunData:
    """Everything a worker reads of one run."""

    status: str | None
    params: dict[str, str] = field(default_factory=dict)
    metrics: list[tuple[str, int, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def experiments(store: str, experiment_id: str, name: str, runs: list[Run],
                reader: Callable[[frozenset[str]], Reader],
                unreadable: tuple[tuple[Path, str], ...] = ()) -> list[SourceExperiment]:
    """The experiments of one MLflow experiment's runs (``reader(numeric)`` reads their trials)."""
    parents = {run.parent for run in runs if run.parent}
    by_id = {run.run_id: run for run in runs}
    groups: dict[str | None, list[Run]] = {}
    for run in runs:
        if run.run_id not in parents:
            groups.setdefault(run.parent if run.parent in by_id else None, []).append(run)
    found = []
    for parent, members in groups.items():
        numeric = numeric_names(run.params for run in members)
        label = name if parent is None else f"{name}/{by_id[parent].name or parent}"
        key = f"{store}#{experiment_id}" + (f"/{parent}" if parent else "")
        space = infer((run.params for run in members), numeric)
        trials = tuple(SourceTrial(run.run_id, run.path, digest(run.fingerprint, sorted(numeric)),
                                   run.path) for run in members)
        description = {"store": store, "mlflow_experiment_id": experiment_id,
                       "mlflow_experiment": name, "parent_run_id": parent,
                       "search_space": INFERRED}
        found.append(SourceExperiment("mlflow", key, label, digest(description, space), trials,
                                      reader(numeric), description, space))
    if unreadable:
        if not found:
            found.append(SourceExperiment("mlflow", f"{store}#{experiment_id}", name, "", (),
                                          reader(frozenset()), {"store": store}))
        found[0].unreadable = unreadable
    return found


def write_run(batch: Batch, trial: SourceTrial, data: RunData, numeric: frozenset[str],
              problems: list[str]) -> None:
    """A run's rows: its typed parameters, its metrics by step, and its status."""
    out = TrialRows(batch, trial)
    for problem in problems:
        out.error(trial.path, problem)
    params = typed(data.params, numeric)
    for name, value in params.items():
        out.param(name, value)
    last = {(name, step): value for name, step, value in data.metrics}  # the last one logged
    for (name, step), value in last.items():
        out.metric(step, name, value)
    status = STATUS.get(data.status or "", "unknown")
    out.finish(status, params, data.info | {"tags": data.tags}, None)
