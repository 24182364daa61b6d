"""Ray Tune experiment folders, read with the standard library alone: ``experiment_state-*.json``
at the root (each trial's status, the experiment's metric and mode where set) and per trial
folder ``params.json`` (the configuration), ``result.json`` (one JSON object per report, its
``training_iteration`` the step), ``progress.csv`` when there is no result.json, and
``error.txt`` (its last line the failure reason). Nothing pickled is read."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch_columns import Batch
from ..discover import NOT_READ
from ..files import FileProblem, read_text
from ..flatten import flatten
from ..train_log import failure_reason
from .base import SourceExperiment, SourceTrial, TrialRows, digest, new_batch, stamp
from .space import INFERRED, infer, number, numeric_names

__all__ = ["find_trials", "is_experiment"]

STATUS = {"TERMINATED": "complete", "ERROR": "failed", "RUNNING": "running",
          "PENDING": "waiting", "PAUSED": "waiting"}
TRIAL_FILES = ("params.json", "result.json", "progress.csv", "error.txt")
# Filled in by Ray for every report: bookkeeping, not metrics (the iteration is the step).
AUTO = frozenset({"training_iteration", "done", "timestamp", "date", "trial_id", "pid",
                  "hostname", "node_ip", "config", "experiment_id", "experiment_tag",
                  "checkpoint_dir_name", "should_checkpoint"})


def is_experiment(path: Path) -> bool:
    """A folder with an experiment state file, or with trial folders holding params.json."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    if any(e.name.startswith("experiment_state-") and e.name.endswith(".json")
           for e in entries):
        return True
    return any(e.is_dir() and (Path(e.path) / "params.json").is_file()
               and not (Path(e.path) / "config.yaml").exists() for e in entries)


def find_trials(path: Path) -> list[SourceExperiment]:
    """The experiment of one Ray Tune folder."""
    problems: list[tuple[Path, str]] = []
    state, state_files = _state(path, problems)
    metric, mode = state.get("metric"), state.get("mode")
    statuses = state.get("statuses", {})
    configs: dict[str, dict[str, Any]] = {}
    unreadable = []
    trials = []
    for entry in sorted(os.scandir(path), key=lambda e: e.name):
        folder = Path(entry.path)
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        files = [folder / name for name in TRIAL_FILES]
        if not any(f.exists() for f in files[:3]):
            continue
        config = _config(folder / "params.json")
        if config is None:
            unreadable.append((folder, f"{NOT_READ}params.json is missing or not a JSON "
                                       "object: the trial's configuration is unknown"))
            config = {}
        configs[entry.name] = dict(flatten(config))
        trials.append((entry.name, str(folder), stamp(files), statuses.get(entry.name)))
    numeric = numeric_names(configs.values())
    space = infer(configs.values(), numeric)
    directions = [(metric, mode)] if isinstance(metric, str) and mode in ("min", "max") else []
    if isinstance(metric, str) and not directions:
        problems.append((path, f"the experiment state names the metric {metric[:80]} but not "
                               f"its mode: give --direction {metric[:80]}=min or =max"))
    description = {"folder": str(path), "metric": metric, "mode": mode,
                   "search_space": INFERRED, "state_files": state_files}
    return [SourceExperiment(
        "ray", str(path), path.name, digest(description, space),
        tuple(SourceTrial(uid, folder, digest(fp, status, sorted(numeric)), folder)
              for uid, folder, fp, status in trials),
        RayReader(numeric, {uid: status for uid, _, _, status in trials if status}),
        description, space, directions, problems, tuple(unreadable))]


def _state(path: Path, problems: list) -> tuple[dict[str, Any], list[str]]:
    """Trial statuses by folder name, the metric and the mode, from the newest state file."""
    files = sorted(p for p in path.glob("experiment_state-*.json") if p.is_file())
    if not files:
        return {}, []
    newest = files[-1]
    try:
        data = json.loads(read_text(newest))
        statuses = {}
        for item in data.get("trial_data", []):
            trial = json.loads(item[0]) if isinstance(item, list) and item else {}
            if isinstance(trial, dict) and isinstance(trial.get("relative_logdir"), str):
                statuses[trial["relative_logdir"]] = str(trial.get("status"))
        runner = data.get("runner_data") or {}
        return {"statuses": statuses, "metric": runner.get("_metric"),
                "mode": runner.get("_mode")}, [newest.name]
    except (FileProblem, ValueError, TypeError, AttributeError, RecursionError) as exc:
        problems.append((newest, f"{newest.name} cannot be read ({str(exc)[:200]}): trial "
                                 "statuses are told by the trial files"))
        return {}, [newest.name]


def _config(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(read_text(path))
    except (FileProblem, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class RayReader:
    """Reads a batch of trial folders (in a worker)."""

    numeric: frozenset[str]
    statuses: dict[str, str]

    def parse(self, trials: tuple[SourceTrial, ...]) -> Batch:
        batch = new_batch()
        for trial in trials:
            self._trial(batch, trial, Path(trial.key))
        return batch

    def _trial(self, batch: Batch, trial: SourceTrial, folder: Path) -> None:
        out = TrialRows(batch, trial)
        config = _config(folder / "params.json")
        params = dict(flatten(config or {}))
        for name, value in params.items():
            out.param(name, number(value) if name in self.numeric and isinstance(value, str)
                      else value)
        rows, complete = _results(folder, out)
        for index, row in enumerate(rows):
            step = row.get("training_iteration")
            step = step if type(step) is int else index + 1
            for name, value in _metrics(row):
                out.metric(step, name, value)
        reason = failure_reason(folder / "error.txt") or _last_line(folder / "error.txt")
        status = STATUS.get(self.statuses.get(trial.uid, ""), None) or _told(rows, reason)
        out.finish(status, config, {"folder": folder.name}, reason, complete)


def _results(folder: Path, out: TrialRows) -> tuple[list[dict[str, Any]], bool]:
    """The reports of result.json (or progress.csv), and whether the file was whole."""
    path = folder / "result.json"
    if path.exists():
        try:
            text = read_text(path)
        except FileProblem as exc:
            if "is empty" not in str(exc):
                out.error(path, str(exc))
            text = ""
        if text:
            return _lines(text, path, out)
    csv_path = folder / "progress.csv"
    if csv_path.exists():
        try:
            return _csv(read_text(csv_path)), True
        except (FileProblem, csv.Error) as exc:
            out.error(csv_path, f"progress.csv cannot be read: {exc}")
    return [], True


def _lines(text: str, path: Path, out: TrialRows) -> tuple[list[dict[str, Any]], bool]:
    rows, lines = [], text.split("\n")
    complete = True
    for number_, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            last = number_ == len(lines)  # no newline after it: cut mid-write
            complete = complete and not last
            out.error(path, f"result.json line {number_} "
                            + ("ends mid-write" if last else "is not JSON") + ": left out")
            continue
        if isinstance(row, dict):
            rows.append(row)
        else:
            out.error(path, f"result.json line {number_} is not a JSON object: left out")
    return rows, complete


def _csv(text: str) -> list[dict[str, Any]]:
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        parsed: dict[str, Any] = {}
        for key, value in row.items():
            if key is None or value is None or value == "":
                continue
            parsed[key] = value if (n := number(value)) is None else n
        rows.append(parsed)
    return rows


def _metrics(row: dict[str, Any], prefix: str = ""):
    """(name, value) of a report's metrics; nested results joined with '/' as Ray does."""
    for key, value in row.items():
        if not prefix and key in AUTO:
            continue
        if isinstance(value, dict):
            yield from _metrics(value, f"{prefix}{key}/")
        else:
            yield f"{prefix}{key}", value


def _told(rows: list[dict[str, Any]], reason: str | None) -> str:
    """The status the trial files tell when the experiment state does not."""
    if reason is not None:
        return "failed"
    if rows and rows[-1].get("done") in (True, "True"):
        return "complete"
    return "unknown" if rows else "waiting"


def _last_line(path: Path) -> str | None:
    try:
        lines = [line for line in read_text(path).splitlines() if line.strip()]
    except FileProblem:
        return None
    return lines[-1].strip()[:500] if lines else None
