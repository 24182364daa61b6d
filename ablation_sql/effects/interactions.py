"""Pairwise interactions of the surrogate: how much of its predicted variance a pair of
attributes holds beyond their separate effects, from 2-D partial dependence.

Each attribute gets a grid: a number ``GRID`` quantiles (5 % to 95 %) of its used values where
it applies, each weighted equally; a categorical attribute its sampled levels, weighted by their
share of the trials. The partial dependence PD(a, b) at a grid cell is the mean prediction over
``BACKGROUND`` used trials (drawn with the seed) with a and b set to the cell. Removing from it
the weighted means over each grid (double centring) leaves the interaction surface; its weighted
mean square over the predictions' variance on the used trials is the pair's **interaction
share** (0: additive; the pairwise form of Friedman's H² relative to the whole variance rather
than the pair's). A pair's interaction is clear when the share's bootstrap interval lies above
``MIN_SHARE``.

For a clear pair with a numerical attribute, the conditional change of that attribute from the
first to the last grid point is given at each level of the other (or at its first and last grid
point), with its interval, for the findings.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from .data import TrialData
from .surrogate import Encoding

__all__ = ["BACKGROUND", "GRID", "MIN_SHARE", "InteractionPlan", "conditional_changes",
           "interaction_plan"]

GRID = 7
BACKGROUND = 50
MIN_SHARE = 0.02


@dataclass(frozen=True)
class _Grid:
    values: list
    weights: np.ndarray


@dataclass(frozen=True)
class InteractionPlan:
    """The configurations whose predictions give every pair's partial dependence: ``configs``
    (rows of ``data.used``'s attribute columns), sliced per pair by ``slices``."""

    pairs: list[tuple[str, str]]
    grids: dict[str, _Grid]
    configs: pd.DataFrame
    slices: dict[tuple[str, str], slice]
    background: int

    def surface(self, pair: tuple[str, str], predictions: np.ndarray) -> np.ndarray:
        """PD over the pair's grid cells (|grid a| × |grid b| [× models])."""
        a, b = pair
        block = predictions[self.slices[pair]]
        shape = (len(self.grids[a].values), len(self.grids[b].values), self.background)
        return block.reshape(shape + block.shape[1:]).mean(axis=2)

    def shares(self, predictions: np.ndarray, variance: np.ndarray) -> np.ndarray:
        """Every pair's interaction share (pairs [× models])."""
        out = []
        for pair in self.pairs:
            wa, wb = self.grids[pair[0]].weights, self.grids[pair[1]].weights
            pd_ = self.surface(pair, predictions)
            extra = (slice(None), slice(None)) + (None,) * (pd_.ndim - 2)
            rows = np.einsum("ab...,b->a...", pd_, wb)
            cols = np.einsum("ab...,a->b...", pd_, wa)
            grand = np.einsum("a...,a->...", rows, wa)
            inter = pd_ - rows[:, None] - cols[None, :] + grand
            weight = (wa[:, None] * wb[None, :])[extra]
            out.append((weight * inter**2).sum(axis=(0, 1)) / np.maximum(variance, 1e-300))
        return np.array(out).reshape(len(self.pairs), *np.shape(variance))


def interaction_plan(data: TrialData, code: Encoding, *, seed: int) -> InteractionPlan:
    """The grids, background trials and configurations of every pair of ``code``'s
    attributes."""
    used = data.used.reset_index(drop=True)
    rng = np.random.default_rng([seed, 11])
    rows = rng.choice(len(used), size=min(BACKGROUND, len(used)), replace=False)
    background = used.iloc[np.sort(rows)].reset_index(drop=True)
    grids = {name: _grid(data, name, name in code.numerical) for name in code.attributes}
    pairs = list(combinations(code.attributes, 2))
    parts, slices, start = [], {}, 0
    for a, b in pairs:
        cells = [(va, vb) for va in grids[a].values for vb in grids[b].values]
        block = pd.concat([background] * len(cells), ignore_index=True)
        block[a] = np.repeat([c[0] for c in cells], len(background))
        block[b] = np.repeat([c[1] for c in cells], len(background))
        parts.append(block)
        slices[a, b] = slice(start, start + len(block))
        start += len(block)
    configs = pd.concat(parts, ignore_index=True) if parts else used.iloc[:0]
    return InteractionPlan(pairs, grids, configs, slices, len(background))


def _grid(data: TrialData, name: str, numerical: bool) -> _Grid:
    values = data.used[name][data.applies(name)]
    if numerical:
        x = values.to_numpy(dtype=float)
        if data.log.get(name) and (x > 0).all():
            points = 10 ** np.quantile(np.log10(x), np.linspace(0.05, 0.95, GRID))
        else:
            points = np.quantile(x, np.linspace(0.05, 0.95, GRID))
        points = np.unique(points)
        return _Grid(points.tolist(), np.full(len(points), 1.0 / len(points)))
    shares = values.astype(str).value_counts(normalize=True)
    return _Grid(list(shares.index), shares.to_numpy(dtype=float))


def conditional_changes(plan: InteractionPlan, pair: tuple[str, str], numerical: str,
                        predictions: np.ndarray) -> list[tuple[object, np.ndarray]]:
    """For a pair with the numerical attribute ``numerical``: its change from its first to its
    last grid point at each level (or end grid point) of the other, [× models]."""
    surface = plan.surface(pair, predictions)
    if numerical == pair[1]:
        surface = np.swapaxes(surface, 0, 1)
    other = plan.grids[pair[1] if numerical == pair[0] else pair[0]]
    at = list(range(len(other.values)))
    if len(other.values) > 2 and all(isinstance(v, float) for v in other.values):
        at = [0, len(other.values) - 1]
    return [(other.values[j], surface[-1, j] - surface[0, j]) for j in at]
