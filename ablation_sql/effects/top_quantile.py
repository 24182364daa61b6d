"""What matters for reaching the top: each attribute's importance for being among the best
``top`` share of the used trials, in the spirit of PED-ANOVA (Watanabe et al., 2023).

PED-ANOVA measures how far the distribution of an attribute among the top trials is from its
distribution among all of them, by the Pearson divergence ∫ (p_top / p_all − 1)² p_all. Here
both distributions are histograms on fixed bins (a numerical attribute: up to ``BINS`` quantile
bins of its used values, on the log scale when declared log; a categorical one: its levels),
within the trials the attribute applies to. No model is involved. The importances are given as
shares of their sum (comparable with the effects' variance shares) with percentile bootstrap
intervals over trials (the top set is chosen again in each resample). An attribute with no
influence still gets a small positive divergence from sampling noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from .data import TrialData
from .intervals import percentile_ci
from .surrogate import Encoding

__all__ = ["BINS", "TOP_COLUMNS", "top_quantile_importance"]

BINS = 10
TOP_COLUMNS = ["attribute", "share", "ci_low", "ci_high", "divergence", "rank"]


def top_quantile_importance(data: TrialData, code: Encoding, samples: Iterable[np.ndarray],
                            *, top: float) -> pd.DataFrame:
    """Each attribute's share of the top-quantile importance, with its interval over the
    bootstrap ``samples`` (each resample's row indices of the used trials)."""
    used = data.used
    keys = (-1.0 if data.direction == "max" else 1.0) * used["value"].to_numpy(dtype=float)
    attributes = []  # per attribute: each trial's bin, the bins' count, where it applies
    for name in code.attributes:
        inside = data.applies(name)
        b = _bins(used[name], inside, name in code.numerical, code.logged.get(name))
        attributes.append((b, int(b.max()) + 1, None if inside.all() else inside))

    def divergences(rows: np.ndarray) -> np.ndarray:
        chosen = _best(keys[rows], rows, max(1, math.ceil(top * len(rows))))
        out = []
        for b, k, inside in attributes:
            every = b[rows] if inside is None else b[rows[inside[rows]]]
            best = b[chosen] if inside is None else b[chosen[inside[chosen]]]
            if len(best) == 0 or len(every) == 0:
                out.append(0.0)
                continue
            p_all = np.bincount(every, minlength=k) / len(every)
            p_top = np.bincount(best, minlength=k) / len(best)
            seen = p_all > 0
            out.append(float((p_top[seen] ** 2 / p_all[seen]).sum() - 1.0))
        return np.maximum(np.array(out), 0.0)

    point = divergences(np.arange(len(keys)))
    boots = np.array([divergences(rows) for rows in samples])
    shares = _shares(point)
    boot_shares = np.array([_shares(b) for b in boots])
    low, high = percentile_ci(shares, boot_shares, bounds=(0.0, 1.0))
    order = np.argsort(-shares, kind="stable")
    rank = np.empty(len(order), dtype=int)
    rank[order] = np.arange(1, len(order) + 1)
    return pd.DataFrame({"attribute": code.attributes, "share": shares, "ci_low": low,
                         "ci_high": high, "divergence": point, "rank": rank},
                        columns=TOP_COLUMNS)


def _best(key: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` rows of smallest ``key``, ties taken in the order of ``rows`` (as a stable
    sort would take them), found by partition rather than a sort."""
    if n >= len(key):
        return rows
    cut = np.partition(key, n - 1)[n - 1]
    below = key < cut
    ties = np.flatnonzero(key == cut)[: n - int(below.sum())]
    return np.concatenate([rows[below], rows[ties]])


def _shares(values: np.ndarray) -> np.ndarray:
    total = values.sum()
    return values / total if total > 0 else np.zeros_like(values)


def _bins(values: pd.Series, inside: np.ndarray, numerical: bool, logged: bool | None
          ) -> np.ndarray:
    """Each used trial's bin (0 where the attribute does not apply: never counted)."""
    out = np.zeros(len(values), dtype=int)
    if numerical:
        x = values.to_numpy(dtype=float)[inside]
        x = np.log10(x) if logged else x
        edges = np.unique(np.quantile(x, np.linspace(0, 1, BINS + 1))[1:-1])
        out[inside] = np.searchsorted(edges, x, side="right")
    else:
        codes, _ = pd.factorize(values[inside].astype(str))
        out[inside] = codes
    return out
