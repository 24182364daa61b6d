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
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["BCA", "Interval", "bootstrap_ci", "percentile_ci"]

BCA = "BCa"
_PERCENTILES = [2.5, 97.5]
# Resampled values held at once: scipy's resamples, and the n leave-one-out samples of BCa's
# jackknife (n x n values at once otherwise: 15 GiB at 20,000 trials), go in batches this big.
BATCH_VALUES = 4_000_000


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
    estimate = np.atleast_1d(np.asarray(statistic(*data, axis=-1), dtype=float))
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # degenerate resamples: NaN ends, handled below
        result = stats.bootstrap(data, statistic, n_resamples=n_boot, method="BCa",
                                 vectorized=True, rng=rng,
                                 batch=max(1, BATCH_VALUES // max(map(len, data))))
    low = np.atleast_1d(np.asarray(result.confidence_interval.low, dtype=float))
    high = np.atleast_1d(np.asarray(result.confidence_interval.high, dtype=float))
    boots = np.asarray(result.bootstrap_distribution, dtype=float).reshape(len(estimate), -1)
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
