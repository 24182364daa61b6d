"""What a path holds, told by content: an ABLATOR experiment, an Optuna storage file, a Ray Tune
experiment folder or an MLflow store; ``--source`` names the kind instead."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..discover import ExperimentFolder, find_experiments
from . import optuna
from .base import SourceExperiment, open_sqlite

__all__ = ["find_all", "kind_of"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
MAX_DEPTH = 2
_FINDERS = {"optuna": optuna.find_studies}
_LOOKED_FOR = ("nor an Optuna storage file")


def find_all(paths: list[Path], source: str | None = None
             ) -> tuple[list[ExperimentFolder | SourceExperiment], list[tuple[Path, str]]]:
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
            found += _read(kind, item)
        if not items:
            problems += ablator_problems or [(path, _nothing(path, resolved, source))]
    return found, problems


def kind_of(path: Path) -> str | None:
    """The source a file or folder is the root of, or None."""
    if path.is_file():
        return _sqlite_kind(path)
    return None


def _scan(path: Path, only: str | None, depth: int) -> Iterator[tuple[str, Path]]:
    kind = kind_of(path)
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


def _read(kind: str, path: Path) -> list[SourceExperiment]:
    try:
        return _FINDERS[kind](path)
    except optuna.StorageProblem as exc:
        return [SourceExperiment(kind, str(path), path.name, "", (), None,
                                 unreadable=((path, str(exc)),))]


def _sqlite_kind(path: Path) -> str | None:
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
    except sqlite3.Error:
        return "optuna" if path.suffix == ".db" else None
    if {"studies", "trials", "trial_params"} <= tables:
        return "optuna"
    return None


def _nothing(path: Path, resolved: Path, source: str | None) -> str:
    if source is not None:
        return f"no {source} experiment at or under {path}"
    return f"{path} is not an experiment folder, {_LOOKED_FOR}"
