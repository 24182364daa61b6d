"""What a path holds, told by content: an ABLATOR experiment, an Optuna storage file, a Ray Tune
experiment folder or an MLflow store; ``--source`` names the kind instead. The other sources'
modules (and sqlite3) load only when a path is not an ABLATOR experiment."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ...errors import NothingToIngestError
from ..discover import NOT_READ, ExperimentFolder, find_experiments
from .base import SourceExperiment, SourceProblem, open_sqlite

__all__ = ["Found", "find_all", "find_ingestable", "kind_of"]

# The experiments found under some paths, and the paths that held none (with a reason).
Found = tuple[list[ExperimentFolder | SourceExperiment], list[tuple[Path, str]]]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA_BYTES = 1 << 20
_SCHEMA_TEXT = {"optuna": re.compile(rb'CREATE TABLE "?trial_params\b'),
                "mlflow": re.compile(rb'CREATE TABLE "?latest_metrics\b')}
MAX_DEPTH = 2
DAMAGED = "damaged"  # a SQLite file that cannot be read, of no kind that can be told
_LOOKED_FOR = "nor a Ray Tune experiment, an MLflow store or an Optuna or MLflow SQLite file"


def find_all(paths: list[Path], source: str | None = None) -> Found:
    """The experiments at or below each path, and the paths that held none (with a reason).

    ``source`` (ablator, optuna, ...) reads each path as that kind only.
    """
    found: list[ExperimentFolder | SourceExperiment] = []
    problems: list[tuple[Path, str]] = []
    for path in paths:
        resolved = path.expanduser().resolve()
        if not resolved.exists():
            problems.append((path, f"{path} does not exist"))
            continue
        ablator_problems: list[tuple[Path, str]] = []
        if source in (None, "ablator") and resolved.is_dir():
            folders, ablator_problems = find_experiments([path])
            if folders or source == "ablator":
                found += folders
                problems += ablator_problems
                continue
        items = list(_scan(resolved, source, 0))
        for kind, item in items:
            if kind == DAMAGED:
                problems.append((item, f"{item} is a SQLite file that cannot be read "
                                       f"({_damage(item)}): give --source optuna or --source "
                                       "mlflow to record it as one"))
            else:
                found += _read(kind, item)
        if not items:
            problems += ablator_problems or [(path, _nothing(path, resolved, source))]
    return found, problems


def find_ingestable(paths: Sequence[str | os.PathLike], source: str | None = None) -> Found:
    """The experiments under ``paths`` (of the ``source`` kind only, when given) and the paths
    that held none (with a reason); raises NothingToIngestError when there is none at all."""
    folders, path_problems = find_all([Path(p) for p in paths], source)
    if not folders:
        raise NothingToIngestError("; ".join(reason for _, reason in path_problems)
                                   or "no paths given")
    return folders, path_problems


def kind_of(path: Path) -> str | None:
    """The source a file or folder is the root of, or None."""
    from . import mlflow_files, ray

    if path.is_file():
        return _sqlite_kind(path)
    if mlflow_files.is_store(path):
        return "mlflow"
    if ray.is_experiment(path):
        return "ray"
    return None


def _scan(path: Path, only: str | None, depth: int) -> Iterator[tuple[str, Path]]:
    kind = kind_of(path)
    if kind == DAMAGED and only not in (None, "ablator"):
        kind = only
    if kind is not None:
        if only in (None, kind):
            yield kind, path
        return
    if path.is_dir() and depth < MAX_DEPTH:
        try:
            children = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        for child in children:
            if not child.name.startswith("."):
                yield from _scan(Path(child.path), only, depth + 1)


def _finder(kind: str, path: Path) -> Callable[[Path], list[SourceExperiment]]:
    from . import mlflow_db, mlflow_files, optuna, ray

    if kind == "mlflow":
        return mlflow_db.find_runs if path.is_file() else mlflow_files.find_runs
    return optuna.find_studies if kind == "optuna" else ray.find_trials


def _read(kind: str, path: Path) -> list[SourceExperiment]:
    finder = _finder(kind, path)
    try:
        return finder(path)
    except (SourceProblem, OSError) as exc:
        reason = str(exc) if isinstance(exc, SourceProblem) else \
            f"{NOT_READ}{path.name} cannot be read ({exc.strerror or exc})"
        return [SourceExperiment(kind, str(path), path.name, "", (), None,
                                 unreadable=((path, reason),))]


def _sqlite_kind(path: Path) -> str | None:
    import sqlite3

    try:
        with open(path, "rb") as handle:
            if handle.read(16) != _SQLITE_MAGIC:
                return None
    except OSError:
        return None
    try:
        con = open_sqlite(path)
        try:
            tables = {name for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            con.close()
    except sqlite3.Error:  # damaged: the schema's text may still be there to tell
        return _damaged_kind(path)
    if {"studies", "trials", "trial_params"} <= tables:
        return "optuna"
    if {"experiments", "runs", "params", "metrics"} <= tables:
        return "mlflow"
    return _damaged_kind(path)


def _damaged_kind(path: Path) -> str | None:
    """The source whose tables a damaged file's schema text names, else DAMAGED when the
    file cannot be read; None for a readable SQLite file of something else."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SCHEMA_BYTES)
    except OSError:
        return None
    for kind, pattern in _SCHEMA_TEXT.items():
        if pattern.search(head):
            return kind
    return DAMAGED if _damage(path) else None


def _damage(path: Path) -> str | None:
    """What SQLite says is wrong with the file, if anything."""
    import sqlite3

    try:
        con = open_sqlite(path)
        try:
            con.execute("PRAGMA quick_check").fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        return str(exc)
    return None


def _nothing(path: Path, resolved: Path, source: str | None) -> str:
    if source is not None:
        return f"no {source} experiment at or under {path}"
    return f"{path} is not an experiment folder, {_LOOKED_FOR}"
