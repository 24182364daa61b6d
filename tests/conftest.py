"""Shared fixtures: the real ABLATOR experiment under tests/fixtures (copied, never written), a
fresh database, synthetic experiments generated once per run, and the three-experiment
database of the view and query tests (built once; ``data`` opens it read-only). The plain
functions they use live in support.py and are re-exported here.

Markers: ``slow`` and ``browser`` tests are deselected by default (pyproject's addopts);
``pytest -m slow``, ``pytest -m browser`` or ``make test-slow|test-browser|test-all`` run them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import ablation_sql as asql
from ablation_sql.synthetic import Truth, generate_experiment

from .support import (
    EXPECTED,
    FIXTURES,
    HERE,
    REAL_EXPERIMENT,
    Folder,
    Synthetic,
    build_database,
    copy_tree,
    snapshot,
    trial_data,
    write_experiment,
)

# Test machines are often shared (CI runners): an example's time varies tenfold from run to run,
# so hypothesis's per-example deadline would fail tests at random. Tests that bound a time say so.
settings.register_profile("shared-machine", deadline=None)
settings.load_profile("shared-machine")

__all__ = ["EXPECTED", "FIXTURES", "HERE", "REAL_EXPERIMENT", "Folder", "Synthetic",
           "build_database", "copy_tree", "snapshot", "trial_data", "write_experiment"]


@pytest.fixture
def real_experiment(tmp_path: Path) -> Path:
    """A writable copy of the real ABLATOR experiment folder."""
    return copy_tree(REAL_EXPERIMENT, tmp_path / "tutorial-tpe")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where a new database file goes (nothing there yet)."""
    return tmp_path / "ablation.duckdb"


@pytest.fixture
def db(db_path: Path) -> Iterator[asql.Database]:
    """A fresh, empty database file opened read-write; closed after the test."""
    with asql.connect(db_path) as database:
        yield database


@pytest.fixture(scope="session")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Synthetic:
    """``synthetic(name="exp", **generate_experiment_arguments) -> (folder, truth)``: a synthetic
    experiment generated once per run for each distinct set of arguments. The folder and the
    truth are shared: copy the folder (``copy_tree``) before changing anything in it."""
    built: dict[tuple, tuple[Path, Truth]] = {}

    def make(name: str = "exp", **kwargs: Any) -> tuple[Path, Truth]:
        key = (name, *sorted(kwargs.items()))
        if key not in built:
            folder = tmp_path_factory.mktemp("synthetic") / name
            built[key] = folder, generate_experiment(folder, **kwargs)
        return built[key]

    return make


@pytest.fixture(scope="session")
def three_experiments(tmp_path_factory: pytest.TempPathFactory
                      ) -> tuple[Path, dict[str, Folder], dict[str, Truth]]:
    """The real experiment and two synthetic ones in one database file (``build_database``),
    built once per run; open it read-only."""
    if not REAL_EXPERIMENT.is_dir():
        pytest.skip(f"fixture not found at {REAL_EXPERIMENT}")
    return build_database(tmp_path_factory.mktemp("three-experiments"))


@pytest.fixture(scope="module")
def data(three_experiments) -> Iterator[tuple[asql.Database, dict[str, Folder], dict]]:
    """The three-experiment database opened read-only (per module), its folders and truths."""
    path, folders, truths = three_experiments
    with asql.connect(path, read_only=True) as db:
        yield db, folders, truths
