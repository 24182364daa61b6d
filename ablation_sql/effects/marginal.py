"""Marginal effects: each attribute on its own.

Numerical: the OLS slope of the value on the attribute (log10 of it when logged: per 10×) with
its HC3 95 % CI. Categorical: each level's mean with a seeded BCa bootstrap 95 % CI
(``n_boot`` resamples within each level; intervals.py), its difference from the best level (by
the metric's direction) and from the reference level, each with a BCa CI from resampling both
levels: the difference of the two levels' resampled means (each level is resampled once, and
its resamples serve its mean and every difference it enters). CIs are NaN for a level with
fewer than 2 trials. An attribute nested in a subspace's branch is taken within the used
trials of its branch only.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .data import TrialData
from .design import Design
from .intervals import bca_ci, group_means, resample_means
from .ols import fit_ols

__all__ = ["LEVEL_COLUMNS", "SLOPE_COLUMNS", "level_groups", "marginal_levels",
           "marginal_slopes", "resampled_level_means"]

SLOPE_COLUMNS = ["attribute", "scale", "estimate", "ci_low", "ci_high"]
LEVEL_COLUMNS = ["attribute", "level", "n", "mean", "ci_low", "ci_high", "reference", "best",
                 "diff_best", "diff_best_low", "diff_best_high",
                 "diff_reference", "diff_reference_low", "diff_reference_high"]


def marginal_slopes(data: TrialData, design: Design) -> pd.DataFrame:
    """One row per numerical attribute: the slope of value on it alone (NaN if not estimable)."""
    rows = []
    for name in data.numerical:
        scale = "per 10x" if design.logged.get(name) else "per unit"
        inside = design.rows.get(name, slice(None))
        fit = fit_ols(design.y[inside], design.x[inside][:, design.groups[name]]) \
            if name in design.groups else None
        if fit is None:
            rows.append((name, scale, math.nan, math.nan, math.nan))
        else:
            rows.append((name, scale, fit.params[1], fit.low[1], fit.high[1]))
    return pd.DataFrame(rows, columns=SLOPE_COLUMNS)


def marginal_levels(data: TrialData, design: Design, *, n_boot: int, seed: int,
                    resampled: list[np.ndarray | None] | None = None) -> pd.DataFrame:
    """One row per level of each categorical attribute, reference level first;
    ``resampled``: ``resampled_level_means``' of ``level_groups(data, design)``, when already
    drawn."""
    found = level_groups(data, design)
    if resampled is None:
        resampled = resampled_level_means([[g for _, _, groups in found for g in groups]],
                                          n_boot=n_boot, seed=seed)[0]
    every = iter(resampled)
    frames = []
    for name, levels, groups in found:
        means = np.array([g.mean() for g in groups])
        best = int(np.argmax(means) if data.direction == "max" else np.argmin(means))
        boots = [next(every) for _ in groups]
        low, high = np.stack([_mean_ci(g, b) for g, b in zip(groups, boots, strict=True)],
                             axis=1)
        diff_best_low, diff_best_high = np.stack(
            [_diff_ci(i, best, groups, boots) for i in range(len(groups))], axis=1)
        diff_ref_low, diff_ref_high = np.stack(
            [_diff_ci(i, 0, groups, boots) for i in range(len(groups))], axis=1)
        frame = pd.DataFrame({
            "attribute": name, "level": levels, "n": [len(g) for g in groups], "mean": means,
            "ci_low": low, "ci_high": high,
            "reference": np.arange(len(levels)) == 0, "best": np.arange(len(levels)) == best,
            "diff_best": means - means[best],
            "diff_best_low": diff_best_low, "diff_best_high": diff_best_high,
            "diff_reference": means - means[0],
            "diff_reference_low": diff_ref_low, "diff_reference_high": diff_ref_high,
        })
        for column, self_index in (("diff_best", best), ("diff_reference", 0)):
            frame.loc[self_index, [f"{column}_low", f"{column}_high"]] = math.nan
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=LEVEL_COLUMNS)
    return pd.concat(frames, ignore_index=True)[LEVEL_COLUMNS]


def level_groups(data: TrialData, design: Design) -> list[tuple[str, list[str],
                                                                list[np.ndarray]]]:
    """Each categorical attribute with used trials in its branch: its name, levels (reference
    first) and each level's values."""
    used = data.used
    found = []
    for name in data.categorical:
        levels = design.levels[name]
        if not levels:  # no used trial in its branch
            continue
        inside = design.rows.get(name, slice(None))
        text = used[name].astype(str).to_numpy()[inside]
        found.append((name, levels, [design.y[inside][text == level] for level in levels]))
    return found


def resampled_level_means(groupings: list[list[np.ndarray]], *, n_boot: int, seed: int
                          ) -> list[list[np.ndarray | None]]:
    """Per list of groups (``level_groups``' values, attribute after attribute), each group's
    ``n_boot`` resampled means as ``marginal_levels`` draws them, from a generator seeded with
    ``seed`` (None for a group of fewer than 2 values): lists whose groups have the same sizes
    get the same draws, so those are drawn once for them."""
    out: list[list[np.ndarray | None]] = [[] for _ in groupings]
    sizes: dict[tuple[int, ...], list[int]] = {}
    for i, groups in enumerate(groupings):
        sizes.setdefault(tuple(map(len, groups)), []).append(i)
    for key, members in sizes.items():
        rng = np.random.default_rng(seed)
        for j, size in enumerate(key):
            means = resample_means(np.stack([groupings[i][j] for i in members]),
                                   n_boot=n_boot, rng=rng) if size >= 2 else None
            for row, i in enumerate(members):
                out[i].append(None if means is None else means[row])
    return out


def _mean_ci(values: np.ndarray, boots: np.ndarray | None) -> tuple[float, float]:
    """BCa CI of the mean of ``values`` from its resampled means ``boots`` (NaN when fewer
    than 2 values); the jackknife from the groups' sums."""
    if boots is None:
        return math.nan, math.nan
    ci = bca_ci((values,), np.mean, boots[None, :], jackknife=[group_means(values)[None, :]])
    return float(ci.low[0]), float(ci.high[0])


def _diff_ci(i: int, j: int, groups: list[np.ndarray], boots: list[np.ndarray | None]
             ) -> tuple[float, float]:
    """BCa CI of mean(groups[i]) - mean(groups[j]) from their resampled means, each level
    resampled on its own (NaN when either has fewer than 2 values, or i is j); the jackknife
    from the groups' sums."""
    first, second = boots[i], boots[j]
    if first is None or second is None or i == j:
        return math.nan, math.nan
    a, b = groups[i], groups[j]
    ci = bca_ci((a, b), _mean_difference, (first - second)[None, :],
                jackknife=[(group_means(a) - b.mean())[None, :],
                           (a.mean() - group_means(b))[None, :]])
    return float(ci.low[0]), float(ci.high[0])


def _mean_difference(a: np.ndarray, b: np.ndarray, axis: int = -1) -> np.ndarray:
    return a.mean(axis=axis) - b.mean(axis=axis)
