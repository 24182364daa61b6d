"""Shared fixtures: the real ABLATOR experiment under tests/fixtures (copied, never written)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REAL_EXPERIMENT = FIXTURES / "ablator-real" / "tutorial-tpe"
EXPECTED = FIXTURES / "ablator-expected"


def copy_tree(source: Path, target: Path) -> Path:
    """Copy a folder with writable permissions (a checkout may be read-only)."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    return target


@pytest.fixture
def real_experiment(tmp_path: Path) -> Path:
    """A writable copy of the real ABLATOR experiment folder."""
    return copy_tree(REAL_EXPERIMENT, tmp_path / "tutorial-tpe")
