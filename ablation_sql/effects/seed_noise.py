"""Repeats in an effects analysis: trials of one configuration are not independent evidence.

``configuration_means`` replaces the used trials of each configuration by one row, their mean
(the analyses then count configurations, not seeds). ``seed_noise_share`` is the share of the
metric's variance that lies within configurations (seed noise) rather than between them, from
the one-way random-effects ANOVA of the used trials, with the F-based 95 % interval of the
intraclass correlation (exact for equal seed counts under normal noise; with unequal counts the
ANOVA's average group size n0 stands in).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from .data import TrialData

__all__ = ["SeedNoise", "configuration_means", "seed_noise_share"]

LEVEL = 0.95


@dataclass(frozen=True)
class SeedNoise:
    """The seed-noise share with its interval, over ``trials`` in ``configurations`` of which
    ``repeated`` have more than one trial (NaN share when none has)."""

    share: float
    ci_low: float
    ci_high: float
    trials: int
    configurations: int
    repeated: int


def configuration_means(data: TrialData, keys: pd.Series) -> TrialData:
    """``data`` with the used trials of each configuration (``keys``: trial_uid ->
    configuration) replaced by one row holding their mean value (its first trial's uid)."""
    frame = data.frame
    used = frame["reason"].isna()
    key = frame["trial_uid"].map(keys).fillna(frame["trial_uid"])
    rows = frame[used].assign(_key=key[used])
    means = rows.groupby("_key", sort=False)["value"].transform("mean")
    merged = rows.assign(value=means).drop_duplicates("_key").drop(columns="_key")
    out = pd.concat([merged, frame[~used]]).sort_values("trial_uid", kind="stable")
    return replace(data, frame=out.reset_index(drop=True))


def seed_noise_share(values: np.ndarray, groups: np.ndarray) -> SeedNoise:
    """The within-configuration share of the variance of ``values`` grouped by ``groups``."""
    frame = pd.DataFrame({"v": values, "g": groups})
    sizes = frame.groupby("g")["v"].size()
    k, n = len(sizes), len(frame)
    repeated = int((sizes > 1).sum())
    if repeated == 0 or n - k < 1 or k < 2:
        return SeedNoise(math.nan, math.nan, math.nan, n, k, repeated)
    means = frame.groupby("g")["v"].transform("mean")
    msw = float(((frame["v"] - means) ** 2).sum()) / (n - k)
    msb = float((sizes * (frame.groupby("g")["v"].mean() - frame["v"].mean()) ** 2).sum()) \
        / (k - 1)
    n0 = (n - float((sizes**2).sum()) / n) / (k - 1)
    if msw == 0:
        return SeedNoise(0.0, 0.0, 0.0, n, k, repeated)
    f = msb / msw
    alpha = 1 - LEVEL
    f_high = stats.f.ppf(1 - alpha / 2, k - 1, n - k)
    f_low = stats.f.ppf(alpha / 2, k - 1, n - k)

    def share(ratio: float) -> float:  # 1 - ICC for an observed F over an F quantile
        return float(np.clip(n0 / (ratio + n0 - 1), 0.0, 1.0))

    estimate = share(f)
    return SeedNoise(estimate, min(share(f / f_low), estimate), max(share(f / f_high), estimate),
                     n, k, repeated)
