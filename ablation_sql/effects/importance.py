"""Importance: the share of the metric's variance each attribute explains.

The measure is LMG (Lindeman, Merenda and Gold; the Shapley value of R²): an attribute's R²
gain when it is added to a model of the other attributes, averaged over every order in which
the attributes can enter. The shares add up to the full model's R², and correlated attributes
split what they explain jointly instead of each claiming it. It is computed exactly from the
R² of all 2^p subsets of the p estimable attributes (p ≤ ``MAX_ATTRIBUTES``); a categorical
attribute's levels enter together.

The CI is a seeded BCa bootstrap over trials (``n_boot`` resamples; intervals.py), vectorised:
each resample is a vector of trial counts, and every subset's R² follows from the weighted sum
of the trials' cross products (the Gram matrix, computed once per resample in batches of
bounded size: linear in the trials; its upper triangle, the products it holds twice summed
once), and every resample's subsets are fitted together. The counts depend only on the seed
and the number of trials, so metrics analysed together with as many used trials take one set
of draws (``resampled_sums``). From ``NORMAL_LEVEL`` used trials (the threshold of the level
intervals' normal theory, marginal.py) the resampled sums are drawn from their normal limit
instead of from counts: a resample's sum of the n trials' cross products has mean the whole
sum and covariance the sum of the rows' centred outer products (exactly, under the
multinomial counts), and at that size it is normal by the central limit theorem over its n
terms; each resample is one draw of that multivariate normal (seeded; factored by ``eigh``,
so a singular covariance, such as the constant's zero variance, is drawn within its span),
and everything after the sums is unchanged. BCa's jackknife leaves out groups of
trials (intervals.py), each group's Gram matrix the whole one less the group's sum. A share
of nearly 0 lies below almost every resample's share, where BCa fails too; its interval then
runs from 0 to the resamples' 97.5 percentile (``ci_method`` "bound", an upper limit), so that
every interval holds its estimate.
Alongside, ``unique`` is the drop in R² when the attribute is removed from the full model (what
no other attribute can explain): under correlated sampling (TPE) a null attribute correlated
with an effective one gets part of the LMG share (about 0.10 for num_filter1 in the synthetic
TPE experiments) but almost no unique share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from .design import Design
from .intervals import bca_ci, group_sums, resample_counts
from .marginal import NORMAL_LEVEL
from .surrogate import single_threaded

__all__ = ["IMPORTANCE_COLUMNS", "MAX_ATTRIBUTES", "Importance", "importance",
           "resampled_sums"]

MAX_ATTRIBUTES = 10
IMPORTANCE_COLUMNS = ["attribute", "share", "ci_low", "ci_high", "ci_method", "rank",
                      "unique", "unique_low", "unique_high", "unique_method"]


@dataclass(frozen=True)
class Importance:
    """Per-attribute shares (``table``), the full model's R² with its CI, and a note when
    importance could not be computed."""

    table: pd.DataFrame
    r_squared: float
    r_squared_low: float
    r_squared_high: float
    note: str | None


def importance(design: Design, *, n_boot: int, seed: int,
               resampled: np.ndarray | None = None,
               normal_from: float = NORMAL_LEVEL) -> Importance:
    """LMG shares of ``design``'s attributes with bootstrap CIs (no CI when ``n_boot`` is 0);
    ``resampled``: ``resampled_sums``' of ``design``, when already drawn; ``normal_from``: the
    used trials from which the resampled sums are normal draws (see above)."""
    names = list(design.groups)
    why = _not_computed(design)
    if why is not None:
        return Importance(pd.DataFrame(columns=IMPORTANCE_COLUMNS), math.nan, math.nan,
                          math.nan, f"importance not computed: {why}")
    k = len(names)
    z = _standardised(design)
    n, q = z.shape

    def weighted(sums: np.ndarray) -> np.ndarray:
        """Shares, unique shares and the full R² (rows) under each row of weighted sums of the
        cross products (the Gram matrices, q² entries)."""
        r2 = _subset_r_squared(design, names, sums)
        full = (1 << k) - 1
        shares = [_lmg(r2, i, k) for i in range(k)]
        unique = [r2[full] - r2[full & ~(1 << i)] for i in range(k)]
        return np.clip(np.stack([*shares, *unique, r2[full]]), 0.0, 1.0)  # rounding error

    # the Gram matrix: the sum of every trial's q² cross products
    total = np.ones((1, n)) @ (z[:, :, None] * z[:, None, :]).reshape(n, q * q)
    point = weighted(total)[:, 0]
    if n_boot > 0:
        rows, cols = np.triu_indices(q)
        cross = _cross(z)
        place = np.zeros((q, q), dtype=int)
        place[rows, cols] = place[cols, rows] = np.arange(len(rows))
        pairs = place.ravel()  # where each of the q² entries is in ``cross``
        if resampled is None:
            resampled = (_normal_sums(cross, n_boot=n_boot, seed=seed) if n >= normal_from
                         else _resampled([cross], n_boot=n_boot, seed=seed)[0])
        with single_threaded():  # many small products: BLAS's threads cost more than they give
            boots = weighted(resampled[:, pairs])
            ci = bca_ci((np.arange(n),), lambda *_, axis=-1: point, boots, bounds=(0.0, 1.0),
                        jackknife=[weighted(total - group_sums(cross)[:, pairs])])
        low, high, method = ci.low, ci.high, ci.method
    else:
        low = high = np.full(len(point), math.nan)
        method = np.full(len(point), None, dtype=object)
    order = np.argsort(-point[:k], kind="stable")
    rank = np.empty(k, dtype=int)
    rank[order] = np.arange(1, k + 1)
    part = slice(k, 2 * k)
    table = pd.DataFrame({"attribute": names, "share": point[:k], "ci_low": low[:k],
                          "ci_high": high[:k], "ci_method": method[:k], "rank": rank,
                          "unique": point[part], "unique_low": low[part],
                          "unique_high": high[part], "unique_method": method[part]})
    return Importance(table, float(point[-1]), float(low[-1]), float(high[-1]), None)


def resampled_sums(designs: list[Design], *, n_boot: int, seed: int,
                   normal_from: float = NORMAL_LEVEL) -> list[np.ndarray | None]:
    """Per design, the sums of its trials' cross products (upper triangle) under each of
    ``n_boot`` resamples, as ``importance`` draws them (None where it computes none): designs
    of as many trials get the same counts from one seed, so those are drawn once for them."""
    out: list[np.ndarray | None] = [None] * len(designs)
    sizes: dict[int, list[int]] = {}
    for i, design in enumerate(designs):
        if n_boot > 0 and _not_computed(design) is None:
            if len(design.y) >= normal_from:
                out[i] = _normal_sums(_cross(_standardised(design)), n_boot=n_boot, seed=seed)
            else:
                sizes.setdefault(len(design.y), []).append(i)
    for members in sizes.values():
        found = _resampled([_cross(_standardised(designs[i])) for i in members],
                           n_boot=n_boot, seed=seed)
        for i, sums in zip(members, found, strict=True):
            out[i] = sums
    return out


def _resampled(crosses: list[np.ndarray], *, n_boot: int, seed: int) -> list[np.ndarray]:
    """Each of ``crosses`` (trials × products, as many trials each) summed under the same
    ``n_boot`` resamples' counts (resamples × products)."""
    found: list[list[np.ndarray]] = [[] for _ in crosses]
    with single_threaded():  # many small products: BLAS's threads cost more than they give
        for counts in resample_counts(len(crosses[0]), n_boot=n_boot,
                                      rng=np.random.default_rng(seed)):
            for parts, cross in zip(found, crosses, strict=True):
                parts.append(counts @ cross)
    return [np.concatenate(parts) for parts in found]


def _normal_sums(cross: np.ndarray, *, n_boot: int, seed: int) -> np.ndarray:
    """``cross`` (trials × products) summed under ``n_boot`` resamples, drawn from the normal
    with the resampled sums' exact mean and covariance (resamples × products)."""
    centred = cross - cross.mean(axis=0)
    with single_threaded():
        spread = centred.T @ centred
    # ``eigh`` factors a positive semi-definite matrix; its rounding's tiny negative
    # eigenvalues are taken by their size, which the check would warn of
    return np.random.default_rng(seed).multivariate_normal(
        cross.sum(axis=0), spread, size=n_boot, method="eigh", check_valid="ignore")


def _not_computed(design: Design) -> str | None:
    """Why importance cannot be computed for ``design`` (None: it can)."""
    names = list(design.groups)
    n, p = design.x.shape
    if not names:
        return "no estimable attribute"
    if n <= p + 1:
        return f"{n} used trials for {p + 1} coefficients"
    if len(names) > MAX_ATTRIBUTES:
        return f"more than {MAX_ATTRIBUTES} attributes"
    return None


def _cross(z: np.ndarray) -> np.ndarray:
    """The upper triangle of each row's cross products (n × q(q+1)/2): each distinct product
    once."""
    rows, cols = np.triu_indices(z.shape[1])
    return z[:, rows] * z[:, cols]


def _standardised(design: Design) -> np.ndarray:
    """(1, standardised x, standardised y) of each trial (n × q): a weighted sum of the rows'
    cross products is the weighted Gram matrix, the sufficient statistic of every OLS."""
    x = design.x
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = design.y - design.y.mean()
    y = y / (y.std() or 1.0)
    return np.column_stack([np.ones(len(y)), x, y])


def _subset_r_squared(design: Design, names: list[str], sums: np.ndarray
                      ) -> dict[int, np.ndarray]:
    """R² of every subset (bit mask over ``names``) from weighted sums of the cross products
    (rows of ``sums``, one per weight vector)."""
    q = math.isqrt(sums.shape[1])
    gram = sums.reshape(-1, q, q)
    target = q - 1
    sse: dict[int, np.ndarray] = {}
    for size in range(len(names) + 1):
        for subset in combinations(range(len(names)), size):
            cols = [0] + [j + 1 for i in subset for j in design.groups[names[i]]]
            g = gram[:, cols][:, :, cols]
            b = gram[:, cols, target]
            coef = np.einsum("bij,bj->bi", np.linalg.pinv(g, hermitian=True), b)
            mask = sum(1 << i for i in subset)
            sse[mask] = gram[:, target, target] - np.einsum("bi,bi->b", coef, b)
    total = sse[0]
    return {mask: 1.0 - value / total for mask, value in sse.items()}


def _lmg(r2: dict[int, np.ndarray], i: int, p: int) -> np.ndarray:
    """Attribute i's Shapley share of R²: its gain averaged over the orders of entry."""
    out = np.zeros_like(r2[0])
    bit = 1 << i
    for mask in range(1 << p):
        if mask & bit:
            continue
        size = bin(mask).count("1")
        weight = math.factorial(size) * math.factorial(p - size - 1) / math.factorial(p)
        out += weight * (r2[mask | bit] - r2[mask])
    return out
