"""Results reads its frame with DuckDB on one thread (its two halves side by side), then puts
the setting back: the database a user gets has DuckDB's own threads."""

from __future__ import annotations

from pathlib import Path

import pytest

from ablation_sql import ParallelConfig, Results, connect

from .conftest import REAL_EXPERIMENT, copy_tree


def test_the_database_keeps_duckdbs_threads(tmp_path: Path) -> None:
    if not REAL_EXPERIMENT.is_dir():
        pytest.skip("real ABLATOR fixture missing")
    folder = copy_tree(REAL_EXPERIMENT, tmp_path / "tutorial-tpe")
    results = Results(config=ParallelConfig, experiment_dir=folder, use_ray=True)
    with connect() as fresh:
        default = fresh.sql("SELECT current_setting('threads') AS n")["n"][0]
    assert results.db.sql("SELECT current_setting('threads') AS n")["n"][0] == default
