"""Levels large enough get normal-theory intervals: an attribute whose every level holds at
least ``NORMAL_LEVEL`` trials is not resampled, its means' and differences' CIs are mean ± 1.96
standard errors (Welch's for a difference), close to the bootstrap's and holding their
estimates; an attribute with a smaller level keeps the bootstrap."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ablation_sql.effects.data import TrialData
from ablation_sql.effects.design import build_design
from ablation_sql.effects.marginal import (
    NORMAL_LEVEL,
    bootstrapped,
    level_groups,
    marginal_levels,
    resampled_level_means,
)

OFFSETS = {"relu": 0.0, "elu": -0.3, "tanh": 0.2}


def _trials(sizes: dict[str, int], *, seed: int = 0, other: int | None = None) -> TrialData:
    """Trials of activation levels of the given sizes, skewed values around each level's
    offset; with ``other``, a second categorical attribute whose level "b" has that many."""
    rng = np.random.default_rng(seed)
    act = np.repeat(list(sizes), list(sizes.values()))
    n = len(act)
    value = np.array([OFFSETS[a] for a in act]) + rng.exponential(1.0, n)
    frame = pd.DataFrame({"trial_uid": [f"t{i}" for i in range(n)], "status": "complete",
                          "value": value, "reason": None, "act": act})
    categorical = ["act"]
    if other is not None:
        frame["opt"] = np.where(np.arange(n) < other, "b", "a")
        categorical.append("opt")
    return TrialData(experiment_id="e", metric="loss", direction="min", policy="best",
                     frame=frame, numerical=[], categorical=categorical, log={},
                     categories={"act": list(sizes), "opt": ["a", "b"]}, defaults={},
                     search_algo="random")


def _normal(values: np.ndarray) -> tuple[float, float]:
    return stats.norm.interval(0.95, loc=values.mean(), scale=stats.sem(values))


def test_normal_intervals_from_the_level_size_on() -> None:
    data = _trials({"relu": 400, "elu": 300, "tanh": 350})
    design = build_design(data)
    found = level_groups(data, design)
    assert bootstrapped(found, 300) == []  # nothing to resample
    assert resampled_level_means([bootstrapped(found, 300)], n_boot=100, seed=0) == [[]]
    levels = marginal_levels(data, design, n_boot=100, seed=0, normal_level=300)
    groups = dict(zip(found[0][1], found[0][2], strict=True))
    best = levels.loc[levels["best"], "level"].item()
    assert best == "elu"
    for r in levels.itertuples():
        values = groups[r.level]
        assert np.allclose((r.ci_low, r.ci_high), _normal(values), rtol=1e-12)
        assert r.ci_low <= r.mean <= r.ci_high
        for column, other in (("diff_best", best), ("diff_reference", "relu")):
            low, high = getattr(r, f"{column}_low"), getattr(r, f"{column}_high")
            if r.level == other:
                assert math.isnan(low) and math.isnan(high)
                continue
            se = math.sqrt(stats.sem(values) ** 2 + stats.sem(groups[other]) ** 2)
            diff = values.mean() - groups[other].mean()
            assert np.allclose((low, high), stats.norm.interval(0.95, loc=diff, scale=se),
                               rtol=1e-12)
            assert low <= getattr(r, column) <= high


def test_normal_intervals_are_close_to_the_bootstraps() -> None:
    data = _trials({"relu": 2000, "elu": 2000, "tanh": 2000}, seed=3)
    design = build_design(data)
    normal = marginal_levels(data, design, n_boot=2000, seed=0, normal_level=2000)
    boot = marginal_levels(data, design, n_boot=2000, seed=0, normal_level=math.inf)
    for column in ("ci", "diff_reference"):
        low, high = normal[f"{column}_low"], normal[f"{column}_high"]
        width = (high - low).to_numpy()
        for end in (low, high):
            gap = (end - boot[end.name]).abs().to_numpy()
            assert np.nanmax(gap / width) < 0.05, column  # the ends within 5 % of the width


def test_default_threshold_and_an_attribute_with_a_small_level() -> None:
    sizes = {"relu": NORMAL_LEVEL, "elu": NORMAL_LEVEL, "tanh": NORMAL_LEVEL}
    data = _trials(sizes, other=NORMAL_LEVEL - 1)
    design = build_design(data)
    found = level_groups(data, design)
    assert [name for name, _, _ in found] == ["act", "opt"]
    assert [len(g) for g in bootstrapped(found)] == [2 * NORMAL_LEVEL + 1, NORMAL_LEVEL - 1]
    levels = marginal_levels(data, design, n_boot=50, seed=0).set_index(["attribute",
                                                                          "level"])
    relu = data.used["value"].to_numpy()[data.used["act"].to_numpy() == "relu"]
    assert np.allclose(levels.loc[("act", "relu"), ["ci_low", "ci_high"]].to_numpy(dtype=float),
                       _normal(relu), rtol=1e-12)
    b = data.used["value"].to_numpy()[data.used["opt"].to_numpy() == "b"]
    assert not np.allclose(levels.loc[("opt", "b"), ["ci_low", "ci_high"]].to_numpy(dtype=float),
                           _normal(b), rtol=1e-6)  # the bootstrap's: other ends
