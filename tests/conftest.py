"""Shared fixtures: the real ABLATOR experiment (copied, never written) and synthetic ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
REAL_EXPERIMENT = SHARED / "fixtures" / "ablator-real" / "tutorial-tpe"
EXPECTED = SHARED / "fixtures" / "ablator-expected"


def copy_tree(source: Path, target: Path) -> Path:
    """Copy a folder with writable permissions (the shared fixtures are read-only)."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    return target


@pytest.fixture
def real_experiment(tmp_path: Path) -> Path:
    """A writable copy of the real ABLATOR experiment folder."""
    if not REAL_EXPERIMENT.is_dir():
        pytest.skip(f"fixture not found at {REAL_EXPERIMENT}")
    return copy_tree(REAL_EXPERIMENT, tmp_path / "tutorial-tpe")
