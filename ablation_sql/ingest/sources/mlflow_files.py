"""MLflow's file store (``mlruns/<experiment>/<run>/`` with ``meta.yaml``, ``params/``,
``metrics/`` and ``tags/``), read with the standard library and PyYAML alone."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..batch_columns import Batch
from ..discover import NOT_READ
from ..files import FileProblem, read_text
from .base import SourceExperiment, SourceTrial, TrialRows, new_batch, stamp
from .mlflow_runs import PARENT_TAG, Run, RunData, experiments, write_run

__all__ = ["find_runs", "is_store"]

# RunStatus as the file store writes it (an integer in meta.yaml)
_STATUS = {1: "RUNNING", 2: "SCHEDULED", 3: "FINISHED", 4: "FAILED", 5: "KILLED"}
_MAX_FILES = 10_000  # parameters, metrics or tags of one run
_DELETED = re.compile(r"^lifecycle_stage:\s*deleted\s*$", re.M)
_RUN_NAME = re.compile(r"^run_name:\s*(.{1,250})$", re.M)


def is_store(path: Path) -> bool:
    """A folder of MLflow experiment folders (each with a meta.yaml naming its artifacts)."""
    try:
        for entry in os.scandir(path):
            meta = Path(entry.path) / "meta.yaml"
            if entry.is_dir() and meta.is_file() and "artifact_location" in _head(meta):
                return True
    except OSError:
        return False
    return False


def _head(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read(4096)
    except OSError:
        return ""


def find_runs(store: Path) -> list[SourceExperiment]:
    """Every live MLflow experiment of the store, its runs grouped (see ``mlflow_runs``)."""
    found = []
    for entry in sorted(os.scandir(store), key=lambda e: e.name):
        folder = Path(entry.path)
        if not entry.is_dir() or entry.name.startswith(".") or not (folder / "meta.yaml").is_file():
            continue
        meta = _meta(folder / "meta.yaml")
        if meta is None or meta.get("lifecycle_stage") == "deleted":
            continue
        runs, unreadable = [], []
        for run_entry in sorted(os.scandir(folder), key=lambda e: e.name):
            run_folder = Path(run_entry.path)
            if not run_entry.is_dir() or run_entry.name.startswith("."):
                continue
            if not (run_folder / "meta.yaml").exists():
                if (run_folder / "metrics").is_dir() or (run_folder / "params").is_dir():
                    unreadable.append((run_folder, f"{NOT_READ}a run folder without meta.yaml"))
                continue
            run = _run(run_folder)
            if run is not None:
                runs.append(run)
        name = str(meta.get("name", entry.name))
        found += experiments(str(store), entry.name, name, runs, MlflowFilesReader,
                             tuple(unreadable))
    return found


def _meta(path: Path) -> dict[str, Any] | None:
    import yaml  # loaded when an MLflow store is read, not by every ingest

    from ..yaml_entries import SAFE_LOADER

    try:
        data = yaml.load(read_text(path), Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
    except (FileProblem, yaml.YAMLError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _run(folder: Path) -> Run | None:
    """What discovery needs of a run (its meta.yaml is scanned, not parsed: that waits for
    the worker); None for a deleted run."""
    meta = _head(folder / "meta.yaml")
    if _DELETED.search(meta):
        return None
    params, _ = _values(folder / "params")
    tags, _ = _values(folder / "tags")
    files = [folder / "meta.yaml", *(_files(folder / d) for d in ("params", "metrics", "tags"))]
    name = _RUN_NAME.search(meta)
    return Run(folder.name, str(folder), _fingerprint(files), params, tags.get(PARENT_TAG),
               tags.get("mlflow.runName") or (name.group(1).strip() if name else None))


def _fingerprint(items: list) -> str:
    paths = [items[0]] + [p for group in items[1:] for p in group]
    return stamp(paths)


def _files(folder: Path) -> list[Path]:
    """The files under ``folder`` (names with a slash are nested folders), sorted."""
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        found += [Path(root) / n for n in sorted(names)]
        if len(found) > _MAX_FILES:
            break
    return found[:_MAX_FILES]


def _values(folder: Path) -> tuple[dict[str, str], list[str]]:
    """name -> text of each file under ``folder``, and what could not be read."""
    values, problems = {}, []
    for path in _files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            values[name] = read_text(path).rstrip("\n") if path.stat().st_size else ""
        except FileProblem as exc:
            if "is empty" in str(exc):
                values[name] = ""
            else:
                problems.append(f"{folder.name}/{name}: {exc}")
        except OSError as exc:
            problems.append(f"{folder.name}/{name}: {exc.strerror or exc}")
    return values, problems


def _metrics(folder: Path, problems: list[str]) -> list[tuple[str, int, Any]]:
    """(name, step, value) of every "timestamp value step" line."""
    rows = []
    for path in _files(folder):
        name = path.relative_to(folder).as_posix()
        try:
            text = read_text(path)
        except FileProblem as exc:
            problems.append(f"metrics/{name}: {exc}")
            continue
        for number, line in enumerate(text.splitlines(), 1):
            try:
                _, value, step = line.split()
                rows.append((name, int(step), float(value)))
            except ValueError:
                problems.append(f"metrics/{name} line {number} is not 'timestamp value step': "
                                "left out")
    return rows


@dataclass(frozen=True)
class MlflowFilesReader:
    """Reads a batch of runs of a file store (in a worker)."""

    numeric: frozenset[str]

    def parse(self, trials: tuple[SourceTrial, ...]) -> Batch:
        batch = new_batch()
        for trial in trials:
            folder = Path(trial.key)
            meta = _meta(folder / "meta.yaml")
            if meta is None:
                TrialRows(batch, trial).error(folder / "meta.yaml",
                                              "meta.yaml cannot be read as YAML: run not read")
                continue
            params, problems = _values(folder / "params")
            tags, tag_problems = _values(folder / "tags")
            metrics = _metrics(folder / "metrics", problems)
            status = meta.get("status")
            info = {k: meta.get(k) for k in ("run_id", "run_name", "experiment_id",
                                             "start_time", "end_time", "user_id")}
            data = RunData(_STATUS.get(status) if isinstance(status, int) else str(status),
                           params, metrics, tags, info)
            write_run(batch, trial, data, self.numeric, problems + tag_problems)
        return batch
