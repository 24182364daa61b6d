"""Comparing configurations over their seeds: the difference of means with its 95 % interval
(Welch's t: no equal-variance assumption, exact under normal seed noise) and the probability
of improvement P(A better than B), the chance that a run of A beats a run of B (ties count
half; Agarwal et al., NeurIPS 2021), with Newcombe's score interval for this Mann-Whitney
probability (Statistics in Medicine 2006, method 5: the Hanley-McNeil variance solved for the
bounds, like Wilson's interval for a proportion). A stratified percentile bootstrap over seeds,
as Agarwal et al. use it with many runs, collapses to [1, 1] whenever the few seeds of A all
beat those of B and covered the planted probability in 39 % of cases with 5 seeds a side
(benchmarks/repeats_rates.py); this interval covers it at about 97 %. A difference is called
only when its interval excludes zero.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..errors import InputError
from .repeats import LEVEL, RepeatData

__all__ = ["COMPARISON_COLUMNS", "compare_samples", "comparisons", "resolve"]

COMPARISON_COLUMNS = [
    "a", "b", "n_a", "n_b", "difference", "ci_low", "ci_high", "p_better", "p_low", "p_high",
    "verdict",
]


def compare_samples(a: np.ndarray, b: np.ndarray, direction: str) -> dict[str, float | str]:
    """A against B: ``difference`` (mean A - mean B) with its Welch interval, ``p_better``
    (P(A better than B) by ``direction``) with its score interval, and a ``verdict``
    (A better | B better | no clear difference | too few seeds: each side needs 2)."""
    sign = 1.0 if direction == "max" else -1.0
    diff = float(a.mean() - b.mean())
    low, high = _welch(a, b)
    p = _p_better(sign * a, sign * b)
    p_low, p_high = _p_interval(p, len(a), len(b))
    if math.isnan(low):
        verdict = "too few seeds"
    elif low > 0 or high < 0:
        verdict = "A better" if sign * diff > 0 else "B better"
    else:
        verdict = "no clear difference"
    return {"n_a": len(a), "n_b": len(b), "difference": diff, "ci_low": low, "ci_high": high,
            "p_better": p, "p_low": p_low, "p_high": p_high, "verdict": verdict}


def comparisons(data: RepeatData, against: str, table: pd.DataFrame) -> pd.DataFrame:
    """Every configuration (A) against ``against`` (B): ``"best"`` (rank 1), ``"baseline"``
    (the master config's defaults) or a configuration key; ``table`` is the configuration
    table (repeats.configuration_table). Empty when there is no such B."""
    samples = data.samples()
    if against == "best":
        best = table.loc[table["rank"] == 1, "configuration"]
        target = best.iloc[0] if len(best) else None
    elif against == "baseline":
        target = next((c for c in table["configuration"] if c in data.baseline), None)
    else:
        target = resolve(data, against)
    if target is None:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    rows = [{"a": key, "b": target, **compare_samples(samples[key], samples[target],
                                                        data.direction)}
            for key in table["configuration"] if key != target]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def resolve(data: RepeatData, name: str) -> str:
    """The configuration ``name`` stands for: its key, a unique key prefix, or a trial_uid
    (the configuration of that trial). Raises InputError when none or several match."""
    frame = data.frame
    keys = sorted(set(frame["configuration"]))
    if name in keys:
        found = [name]
    else:
        found = sorted(set(frame.loc[frame["trial_uid"] == name, "configuration"])) \
            or [k for k in keys if k.startswith(name)]
    if len(found) != 1:
        why = "matches no configuration key or trial" if not found else \
            f"matches {len(found)} configurations ({', '.join(found[:5])})"
        raise InputError(f"{name!r} {why}; see ablation-sql repeats for the keys")
    if found[0] not in set(data.used["configuration"]):
        raise InputError(f"configuration {found[0]} has no trial with a usable {data.metric} "
                         "value")
    return found[0]


def _welch(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """The 95 % Welch interval of mean(a) - mean(b) (NaN when a side has fewer than 2)."""
    if len(a) < 2 or len(b) < 2:
        return math.nan, math.nan
    va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
    diff, se = float(a.mean() - b.mean()), math.sqrt(va + vb)
    if se == 0:
        return diff, diff
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    half = float(stats.t.ppf(0.5 + LEVEL / 2, df)) * se
    return diff - half, diff + half


def _p_better(a: np.ndarray, b: np.ndarray) -> float:
    """P(a > b) + P(a = b) / 2 over every pair of values."""
    gaps = a[:, None] - b[None, :]
    return float((gaps > 0).mean() + 0.5 * (gaps == 0).mean())


def _p_interval(p: float, m: int, n: int) -> tuple[float, float]:
    """Newcombe's 95 % score interval of a Mann-Whitney probability ``p`` of ``m`` against
    ``n`` values: the bounds where (t - p)^2 equals z^2 times the Hanley-McNeil variance."""
    z2 = stats.norm.ppf(0.5 + LEVEL / 2) ** 2
    half = (m + n) / 2 - 1

    def gap(t: float) -> float:
        var = t * (1 - t) / (m * n) * (1 + half * (1 - t) / (2 - t) + half * t / (1 + t))
        return (t - p) ** 2 - z2 * var

    tiny = 1e-12
    low = optimize.brentq(gap, 0.0, p - tiny) if p > tiny and gap(0.0) > 0 else 0.0
    high = optimize.brentq(gap, p + tiny, 1.0) if p < 1 - tiny and gap(1.0) > 0 else 1.0
    return float(low), float(high)
