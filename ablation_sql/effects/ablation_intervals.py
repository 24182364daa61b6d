"""The 95 % interval of a number the ablation reads from its surrogate (a contribution, the
predicted change, a conditional change) from the surrogate's bootstrap refits.

These numbers are linear in the surrogate's predictions, and their resamples are close to
normal; the interval is the estimate ± 1.96 standard deviations of its resamples (the normal
bootstrap interval). The percentile interval needs many resamples to place its 2.5 and 97.5
percentiles: measured on planted truth (docs/ablation.md), with 100 resamples its ends fell
inward and it held the planted value in 92 % of 229 cases, against 95 % for this one with 50,
100 or 200 resamples. The bounded interaction shares keep percentile intervals
(``intervals.percentile_ci``).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["refit_ci"]

_Z = float(stats.norm.ppf(0.975))


def refit_ci(estimate: np.ndarray, boots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """95 % normal bootstrap intervals of ``estimate`` from its resamples ``boots``
    (resamples × estimate's shape); NaN with fewer than two resamples."""
    estimate = np.asarray(estimate, dtype=float)
    boots = np.asarray(boots, dtype=float)
    if len(boots) < 2 or estimate.size == 0:
        return np.full(estimate.shape, math.nan), np.full(estimate.shape, math.nan)
    half = _Z * np.nanstd(boots, axis=0, ddof=1)
    return estimate - half, estimate + half
