"""Marginal effects: each attribute on its own.

Numerical: the OLS slope of the value on the attribute (log10 of it when logged: per 10×) with
its HC3 95 % CI. Categorical: each level's mean with a seeded BCa bootstrap 95 % CI
(``n_boot`` resamples within each level; intervals.py), its difference from the best level (by
the metric's direction) and from the reference level, each with a BCa CI from resampling both
levels: the difference of the two levels' resampled means (each level is resampled once, and
its resamples serve its mean and every difference it enters). CIs are NaN for a level with
fewer than 2 trials. An attribute nested in a subspace's branch is taken within the used
trials of its branch only.

An attribute whose every level holds at least ``NORMAL_LEVEL`` trials gets normal-theory CIs
instead (mean ± 1.96 standard errors; a difference's standard error from both levels'
variances, Welch's): at that size a mean's sampling distribution is normal to well within the
bootstrap's own Monte Carlo error, and the bootstrap's draws were most of the analysis's time
(measured on planted truth by ``benchmarks/effects_rates.py``; see docs/statistics.md).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import special

from .data import TrialData
from .design import Design
from .intervals import bca_ci, group_means, resample_means
from .ols import fit_ols

__all__ = ["LEVEL_COLUMNS", "NORMAL_LEVEL", "SLOPE_COLUMNS", "bootstrapped", "level_groups",
           "marginal_levels", "marginal_slopes", "resampled_level_means"]

# From this many trials in every level of an attribute, its CIs are normal-theory ones.
NORMAL_LEVEL = 5000
_Z = float(special.ndtri(0.975))

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
                    grouped: list[tuple[str, list[str], list[np.ndarray]]] | None = None,
                    resampled: list[np.ndarray | None] | None = None,
                    normal_level: float = NORMAL_LEVEL) -> pd.DataFrame:
    """One row per level of each categorical attribute, reference level first; ``grouped``:
    ``level_groups(data, design)``, and ``resampled``: ``resampled_level_means``' of
    ``bootstrapped(grouped)``, when already found; ``normal_level``: see ``NORMAL_LEVEL``."""
    found = level_groups(data, design) if grouped is None else grouped
    if resampled is None:
        resampled = resampled_level_means([bootstrapped(found, normal_level)], n_boot=n_boot,
                                          seed=seed)[0]
    every = iter(resampled)
    frames = []
    for name, levels, groups in found:
        means = np.array([g.mean() for g in groups])
        best = int(np.argmax(means) if data.direction == "max" else np.argmin(means))
        if _normal(groups, normal_level):
            low, high, diff_best_low, diff_best_high, diff_ref_low, diff_ref_high = \
                _normal_cis(groups, means, best)
        else:
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


def bootstrapped(found: list[tuple[str, list[str], list[np.ndarray]]],
                 normal_level: float = NORMAL_LEVEL) -> list[np.ndarray]:
    """The groups of ``found`` (``level_groups``') whose CIs come from the bootstrap, attribute
    after attribute: those of the attributes with a level under ``normal_level`` trials."""
    return [g for _, _, groups in found if not _normal(groups, normal_level) for g in groups]


def _normal(groups: list[np.ndarray], normal_level: float) -> bool:
    """Whether an attribute with these levels' values gets normal-theory CIs."""
    return min(map(len, groups)) >= normal_level


def _normal_cis(groups: list[np.ndarray], means: np.ndarray, best: int
                ) -> tuple[np.ndarray, ...]:
    """Normal-theory 95 % CIs of each level's mean and of its differences from the ``best``
    level and the reference (the first), NaN for a level's difference from itself: low and
    high of each."""
    variances = np.array([g.var(ddof=1) / len(g) for g in groups])
    half = _Z * np.sqrt(variances)
    out = [means - half, means + half]
    for other in (best, 0):
        diff = means - means[other]
        spread = _Z * np.sqrt(variances + variances[other])
        low, high = diff - spread, diff + spread
        low[other] = high[other] = math.nan
        out += [low, high]
    return tuple(out)


def resampled_level_means(groupings: list[list[np.ndarray]], *, n_boot: int, seed: int
                          ) -> list[list[np.ndarray | None]]:
    """Per list of groups (``bootstrapped``' of ``level_groups``', attribute after attribute), each
    group's ``n_boot`` resampled means as ``marginal_levels`` draws them, from a generator seeded
    with ``seed`` (None for a group of fewer than 2 values): lists whose groups have the same
    sizes get the same draws, so those are drawn once for them."""
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
