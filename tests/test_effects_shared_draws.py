"""Metrics analysed together share their bootstrap draws and give each metric's own results:
the draws depend on the seed and the samples' sizes only, so metrics with as many used trials
(and levels as large) are drawn once, and any others alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.effects import effects
from ablation_sql.effects.data import POLICIES, TrialData, load_policies
from ablation_sql.effects.design import build_design
from ablation_sql.effects.estimate import metrics_effects
from ablation_sql.effects.importance import importance, resampled_sums
from ablation_sql.effects.intervals import resample_means
from ablation_sql.effects.marginal import level_groups, marginal_levels, resampled_level_means
from ablation_sql.errors import InputError
from ablation_sql.store.connection import open_connection
from ablation_sql.synthetic import generate_experiment

METRICS = ["val_accuracy", "val_loss"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("draws")
    generate_experiment(root / "exp", trials=60, epochs=3, seed=7)
    path = root / "exp.duckdb"
    with asql.connect(path) as database:
        database.ingest(root / "exp")
    return path


def _without_first_used(data: TrialData) -> TrialData:
    """``data`` with its first used trial's value left out (one used trial fewer)."""
    frame = data.frame.copy()
    frame.loc[frame["reason"].isna().idxmax(), "reason"] = "null"
    return replace(data, frame=frame)


def test_rows_of_resampled_means_are_each_samples_own() -> None:
    values = np.random.default_rng(2).lognormal(size=(3, 257))
    together = resample_means(values, n_boot=300, rng=np.random.default_rng(9))
    assert together.shape == (3, 300)
    for row, sample in zip(together, values, strict=True):
        np.testing.assert_array_equal(
            row, resample_means(sample, n_boot=300, rng=np.random.default_rng(9)))


def test_shared_draws_equal_each_metrics_own(db: Path) -> None:
    with open_connection(db, read_only=True, allow_files=False) as con:
        trials = {m: load_policies(con, m, list(POLICIES)) for m in METRICS}
    data = [trials["val_accuracy"]["best"], trials["val_loss"]["best"],
            _without_first_used(trials["val_loss"]["best"])]
    designs = [build_design(d) for d in data]
    assert len({len(d.y) for d in designs}) == 2
    sums = resampled_sums(designs, n_boot=40, seed=3)
    groups = [[g for _, _, found in level_groups(d, design) for g in found]
              for d, design in zip(data, designs, strict=True)]
    means = resampled_level_means(groups, n_boot=40, seed=3)
    for d, design, s, m in zip(data, designs, sums, means, strict=True):
        alone = importance(design, n_boot=40, seed=3)
        pd.testing.assert_frame_equal(importance(design, n_boot=40, seed=3, resampled=s).table,
                                      alone.table, check_exact=True)
        pd.testing.assert_frame_equal(
            marginal_levels(d, design, n_boot=40, seed=3, resampled=m),
            marginal_levels(d, design, n_boot=40, seed=3), check_exact=True)


def test_metrics_analysed_together_are_each_analysed_alone(db: Path) -> None:
    with open_connection(db, read_only=True, allow_files=False) as con:
        trials = {m: load_policies(con, m, list(POLICIES)) for m in METRICS}
        trials["val_loss"] = {p: _without_first_used(d) for p, d in trials["val_loss"].items()}
        together = metrics_effects(con, {**trials, "no_such_metric": None}, n_boot=50, seed=2)
        assert isinstance(together["no_such_metric"], InputError)
        for metric in METRICS:
            alone = effects(con, metric, n_boot=50, seed=2, trials=trials[metric])
            found = together[metric]
            assert not isinstance(found, InputError)
            for name in ("attributes", "levels", "importance", "sensitivity"):
                pd.testing.assert_frame_equal(getattr(found, name), getattr(alone, name),
                                              check_exact=True)
            assert found.findings == alone.findings and found.r_squared_ci == alone.r_squared_ci
