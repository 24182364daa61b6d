"""Importance's resamples from ``NORMAL_LEVEL`` used trials on: the resampled sums of the
trials' cross products are drawn from their normal limit (the multinomial resample's exact
mean and covariance) instead of from counts, and the intervals that follow are close to the
multinomial bootstrap's and hold their estimates."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ablation_sql.effects.data import TrialData
from ablation_sql.effects.design import Design, build_design
from ablation_sql.effects.importance import importance, resampled_sums
from ablation_sql.effects.marginal import NORMAL_LEVEL

LEVELS = {"relu": 0.0, "elu": -0.4, "tanh": 0.2}


def _design(n: int, *, seed: int = 0) -> Design:
    """A planted experiment of ``n`` trials: two correlated numbers (b of no effect), a
    categorical attribute, skewed noise."""
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.0, 1.0, n)
    b = a + rng.uniform(0.0, 1.0, n)
    act = rng.choice(list(LEVELS), n)
    value = 0.8 * a + np.array([LEVELS[x] for x in act]) + 0.3 * rng.exponential(1.0, n)
    frame = pd.DataFrame({"trial_uid": [f"t{i}" for i in range(n)], "status": "complete",
                          "value": value, "reason": None, "a": a, "b": b, "act": act})
    return build_design(TrialData(
        experiment_id="e", metric="loss", direction="min", policy="best", frame=frame,
        numerical=["a", "b"], categorical=["act"], log={"a": False, "b": False},
        categories={"act": list(LEVELS)}, defaults={}, search_algo="random"))


def test_normal_draws_have_the_resampled_sums_moments() -> None:
    design = _design(400)
    normal, counts = (resampled_sums([design], n_boot=20_000, seed=1, normal_from=limit)[0]
                      for limit in (0, math.inf))
    assert normal is not None and counts is not None
    assert not np.isnan(normal).any()
    # the constant's product is the number of trials in every resample (zero variance)
    np.testing.assert_allclose(normal[:, 0], 400.0, rtol=1e-9)
    np.testing.assert_array_equal(counts[:, 0], 400.0)
    spread = np.sqrt(np.diag(np.cov(counts, rowvar=False)))[1:]
    np.testing.assert_allclose(normal.mean(axis=0)[1:], counts.mean(axis=0)[1:],
                               atol=float(spread.max()) * 0.05)
    np.testing.assert_allclose(np.cov(normal, rowvar=False)[1:, 1:],
                               np.cov(counts, rowvar=False)[1:, 1:],
                               atol=float(spread.max() ** 2) * 0.06)


def test_normal_draws_from_normal_level_used_trials_on() -> None:
    small, large = _design(NORMAL_LEVEL - 1), _design(NORMAL_LEVEL)
    for design, normal in ((small, False), (large, True)):
        drawn = resampled_sums([design], n_boot=50, seed=2)[0]
        counts = resampled_sums([design], n_boot=50, seed=2, normal_from=math.inf)[0]
        assert np.array_equal(drawn, counts) is not normal
        pd.testing.assert_frame_equal(
            importance(design, n_boot=50, seed=2).table,
            importance(design, n_boot=50, seed=2, resampled=drawn).table)
    # the normal draws depend on the design itself: each drawn alone, as with the counts
    together = resampled_sums([large, _design(NORMAL_LEVEL, seed=5)], n_boot=50, seed=2)
    np.testing.assert_array_equal(together[0], resampled_sums([large], n_boot=50, seed=2)[0])


def test_normal_intervals_are_close_to_the_multinomial_bootstraps() -> None:
    design = _design(6000, seed=3)
    normal, counts = (importance(design, n_boot=1000, seed=4, normal_from=limit)
                      for limit in (0, math.inf))
    for found in (normal, counts):
        t = found.table
        assert ((t["ci_low"] <= t["share"]) & (t["share"] <= t["ci_high"])).all()
        assert ((t["unique_low"] <= t["unique"]) & (t["unique"] <= t["unique_high"])).all()
        assert found.r_squared_low <= found.r_squared <= found.r_squared_high
    pd.testing.assert_series_equal(normal.table["share"], counts.table["share"])
    assert (normal.table["ci_method"] == counts.table["ci_method"]).all()
    # the effective attributes' intervals: the ends within a fifth of the width, the widths
    # within 15 % (two multinomial bootstraps of other seeds differ as much)
    for name in ("a", "act"):
        n, c = (t.table.set_index("attribute").loc[name] for t in (normal, counts))
        width = c["ci_high"] - c["ci_low"]
        assert abs(n["ci_low"] - c["ci_low"]) < 0.2 * width
        assert abs(n["ci_high"] - c["ci_high"]) < 0.2 * width
        assert 0.85 < (n["ci_high"] - n["ci_low"]) / width < 1.15
