"""Bootstrap 95 % confidence intervals that contain their estimate.

The method is BCa (bias-corrected and accelerated, ``scipy.stats.bootstrap``): it moves the
percentile interval by the bootstrap distribution's bias and skew, which a bounded statistic
such as an importance share near 0 has (a plain percentile interval of a share of 0.0012 can
run from 0.0025 to 0.22, above its own estimate). BCa still fails when the estimate lies
outside the middle 95 % of its bootstrap distribution (every resample of a share of nearly 0
is larger): both of its ends then fall on one side of the estimate. Such an interval is
replaced, and ``method`` says so:

- ``bound``: a statistic with a bound on that side (a share cannot be below 0) gets the
  interval from the bound to the 2.5 or 97.5 percentile of the resamples (or the estimate, if
  beyond), a statement of "at most" (or "at least") that the data support;
- ``percentile``: a statistic without one gets the percentile interval stretched to the
  estimate (also when every resample is equal, where BCa is undefined).

Every interval returned holds its estimate (``low <= estimate <= high``) unless it is NaN, and
lies within the bounds.

BCa's acceleration comes from a jackknife. The delete-one jackknife evaluates the statistic
once per left-out observation, n times on n - 1 values: its cost grows with the square of n.
Above ``JACKKNIFE_GROUPS`` observations per sample the jackknife leaves out groups instead
(observation i in group i mod G, G = ``JACKKNIFE_GROUPS``; the delete-d jackknife of Efron and
Tibshirani, 1993, 11.7), with the same formula over the G groups: the acceleration it
estimates is the same (a group's jackknife value moves with the sum of its observations'
influences, whose skewness shrinks with the group's size as G grows back to n), its spread is
about 0.5 / G (measured: 0.0028 at G = 200 on 40 samples of 3,000 exponential values, mean
0.0063 against 0.0061 delete-one; the interval's ends then move by about 1 % of a standard
error), and its cost is G statistics, linear in n. Up to ``JACKKNIFE_GROUPS`` observations it
is the delete-one jackknife, and the intervals are scipy's BCa exactly. A caller whose statistic
has a cheaper jackknife gives its values (``bca_ci``'s ``jackknife``), from each group's sum
(``group_sums``: one pass over the sample instead of one per group); ``group_means`` gives the
mean's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import special, stats

__all__ = ["BCA", "Interval", "bca_ci", "bootstrap_ci", "group_means", "group_sums",
           "percentile_ci", "resample", "resample_counts", "resample_means"]

BCA = "BCa"
_LEVEL = 0.95
_PERCENTILES = [2.5, 97.5]
# Resampled values held at once: scipy's resamples and the jackknife's leave-out samples go in
# batches this big.
BATCH_VALUES = 1_000_000
# Above this many observations in a sample, BCa's jackknife leaves out groups (see above).
JACKKNIFE_GROUPS = 200


@dataclass(frozen=True)
class Interval:
    """Estimates, their interval ends and the method that gave each (arrays of one shape)."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    method: np.ndarray


def bootstrap_ci(data: tuple[np.ndarray, ...], statistic: Callable[..., np.ndarray], *,
                 n_boot: int, rng: np.random.Generator,
                 bounds: tuple[float, float] = (-math.inf, math.inf)) -> Interval:
    """BCa intervals of ``statistic`` (vectorised over its last axis, like scipy's) over the
    samples ``data`` (each resampled on its own), made to hold the estimate (see above)."""
    return bca_ci(data, statistic, resample(data, statistic, n_boot=n_boot, rng=rng),
                  bounds=bounds)


def resample(data: tuple[np.ndarray, ...], statistic: Callable[..., np.ndarray], *,
             n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """``statistic`` on ``n_boot`` resamples of ``data`` (``scipy.stats.bootstrap``'s, each
    sample resampled on its own): estimates × resamples."""
    estimates = np.size(statistic(*data, axis=-1))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # degenerate resamples: NaN, handled by bca_ci
        result = stats.bootstrap(data, statistic, n_resamples=n_boot, method="percentile",
                                 vectorized=True, rng=rng,
                                 batch=max(1, BATCH_VALUES // max(map(len, data))))
    return np.asarray(result.bootstrap_distribution, dtype=float).reshape(estimates, -1)


def resample_means(values: np.ndarray, *, n_boot: int, rng: np.random.Generator
                   ) -> np.ndarray:
    """The means of ``n_boot`` resamples of ``values``: ``resample((values,), np.mean)``'s, from
    the same draws, one resample at a time (its draws and values held in cache). Several
    samples of one length (rows of a 2-D ``values``) take the same draws, each its means (a
    row of the result) as it would alone."""
    rows = np.atleast_2d(values)
    n = rows.shape[1]
    means = np.empty((len(rows), n_boot))
    for b in range(n_boot):
        index = rng.integers(0, n, n)
        for row, sample in zip(means, rows, strict=True):  # ``sample[index].mean()``, bit for bit
            row[b] = np.add.reduce(sample.take(index)) / n
    return means.reshape(*np.shape(values)[:-1], n_boot)


def resample_counts(n: int, *, n_boot: int, rng: np.random.Generator) -> Iterator[np.ndarray]:
    """How often each of ``n`` observations is drawn in each of ``n_boot`` resamples, in
    batches (resamples × n, floats): the draws ``resample`` makes of one sample of n, for a
    statistic of weights (a weighted sum of per-observation terms needs no resampled copy)."""
    batch = max(1, BATCH_VALUES // n)
    for start in range(0, n_boot, batch):
        counts = np.empty((min(batch, n_boot - start), n))
        for row in counts:  # one resample's draws at a time: the same stream, held in cache
            row[:] = np.bincount(rng.integers(0, n, n), minlength=n)
        yield counts


def bca_ci(data: tuple[np.ndarray, ...], statistic: Callable[..., np.ndarray],
           boots: np.ndarray, *, bounds: tuple[float, float] = (-math.inf, math.inf),
           jackknife: list[np.ndarray] | None = None) -> Interval:
    """BCa intervals of ``statistic`` over ``data`` from its resamples ``boots`` (estimates ×
    resamples, as ``resample`` gives), made to hold the estimate (see above); ``jackknife``:
    per sample, the statistic with each of its groups left out (estimates × groups), when the
    caller has it (None: evaluated here)."""
    estimate = np.atleast_1d(np.asarray(statistic(*data, axis=-1), dtype=float))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # degenerate resamples: NaN ends, handled below
        low, high = _bca(estimate, boots, _acceleration(
            _jackknife(data, statistic) if jackknife is None else jackknife))
    q_low, q_high = np.nanpercentile(boots, _PERCENTILES, axis=1)
    method = np.full(len(estimate), BCA, dtype=object)
    for i, value in enumerate(estimate):
        if low[i] <= value <= high[i] or math.isnan(value):
            continue
        below, above = value < q_low[i], value > q_high[i]
        if below and math.isfinite(bounds[0]):
            low[i], high[i], method[i] = bounds[0], max(q_high[i], value), "bound"
        elif above and math.isfinite(bounds[1]):
            low[i], high[i], method[i] = min(q_low[i], value), bounds[1], "bound"
        else:
            low[i], high[i], method[i] = min(q_low[i], value), max(q_high[i], value), \
                "percentile"
    return Interval(estimate, np.clip(low, *bounds), np.clip(high, *bounds), method)


def _bca(estimate: np.ndarray, boots: np.ndarray, accel: np.ndarray
         ) -> tuple[np.ndarray, np.ndarray]:
    """BCa's 95 % interval ends from the resamples ``boots`` (estimate × resamples) and the
    acceleration, computed as ``scipy.stats.bootstrap`` does (Efron and Tibshirani, 14.3)."""
    below = (boots < estimate[:, None]).sum(axis=1) + (boots <= estimate[:, None]).sum(axis=1)
    z0 = special.ndtri(below / (2 * boots.shape[1]))
    z_alpha = float(special.ndtri((1 - _LEVEL) / 2))
    alpha = [special.ndtr(z0 + (z0 + z) / (1 - accel * (z0 + z))) for z in (z_alpha, -z_alpha)]
    ends = stats.quantile(boots, np.stack(alpha, axis=-1), axis=-1)
    return ends[:, 0], ends[:, 1]


def _jackknife(data: tuple[np.ndarray, ...], statistic: Callable[..., np.ndarray]
               ) -> list[np.ndarray]:
    """Per sample, ``statistic`` with each group of it left out (estimates × groups):
    delete-one up to ``JACKKNIFE_GROUPS`` observations, leave-one-group-out above."""
    return [np.concatenate([np.atleast_2d(np.asarray(statistic(*samples, axis=-1)))
                            for samples in _leave_out(data, j)], axis=-1)
            for j in range(len(data))]


def group_sums(values: np.ndarray) -> np.ndarray:
    """The sums of ``values``' rows in each of the jackknife's groups (row i in group i mod G,
    the groups ``_leave_out`` makes): a sum without a group is the whole one less its group's."""
    n = len(values)
    groups = min(n, JACKKNIFE_GROUPS)
    padded = np.zeros((-(-n // groups) * groups, *values.shape[1:]))
    padded[:n] = values
    return padded.reshape(-1, groups, *values.shape[1:]).sum(axis=0)


def group_means(values: np.ndarray) -> np.ndarray:
    """The mean of ``values`` with each of its jackknife groups left out, from the groups'
    sums."""
    return (values.sum() - group_sums(values)) / (len(values) - group_sums(np.ones(len(values))))


def _acceleration(jackknife: list[np.ndarray]) -> np.ndarray:
    """BCa's acceleration (per estimate) from each sample's jackknife values."""
    nums, dens = [], []
    for values in jackknife:
        g = float(values.shape[-1])
        u = (g - 1) * (values.mean(axis=-1, keepdims=True) - values)
        nums.append((u**3).sum(axis=-1) / g**3)
        dens.append((u**2).sum(axis=-1) / g**2)
    return 1 / 6 * sum(nums) / sum(dens) ** (3 / 2)


def _leave_out(data: tuple[np.ndarray, ...], j: int) -> Iterator[list[np.ndarray]]:
    """Batches of ``data`` with one group of sample ``j`` left out per row (observation i in
    group i mod G), the other samples whole; groups of one size per batch."""
    n = len(data[j])
    groups = min(n, JACKKNIFE_GROUPS)
    member = np.arange(n) % groups
    big = n % groups  # groups 0 .. big - 1 hold one observation more
    for first, stop in ((0, big), (big, groups)):
        kept = n - (n // groups + (first < big))
        step = max(1, BATCH_VALUES // n)
        for start in range(first, stop, step):
            left_out = np.arange(start, min(start + step, stop))
            keep = member != left_out[:, None]
            index = np.broadcast_to(np.arange(n), keep.shape)[keep].reshape(-1, kept)
            yield [data[j][index] if i == j else
                   np.broadcast_to(sample, (len(left_out), len(sample)))
                   for i, sample in enumerate(data)]


def percentile_ci(estimate: np.ndarray, boots: np.ndarray,
                  bounds: tuple[float, float] = (-math.inf, math.inf)
                  ) -> tuple[np.ndarray, np.ndarray]:
    """95 % percentile intervals of ``estimate`` from its resamples ``boots`` (resamples ×
    estimate's shape), for statistics whose every resample refits a model (where BCa's
    jackknife would refit once per observation), stretched to hold the estimate and clipped
    to ``bounds``; NaN without resamples."""
    estimate = np.asarray(estimate, dtype=float)
    if len(boots) == 0 or estimate.size == 0:
        return np.full(estimate.shape, math.nan), np.full(estimate.shape, math.nan)
    q_low, q_high = np.nanpercentile(np.asarray(boots, dtype=float), _PERCENTILES, axis=0)
    low, high = np.fmin(q_low, estimate), np.fmax(q_high, estimate)
    return np.clip(low, *bounds), np.clip(high, *bounds)
