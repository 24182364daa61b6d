"""Baseline-relative effects: what moving away from the master config's default changes.

From the adjusted model. A numerical attribute: the predicted change of the metric when it
goes from its default to the lowest and to the highest value sampled (on the log10 scale when
logged), CI from the slope's CI. A categorical attribute: each sampled level against the
default level, CI from the coefficients' covariance. Skipped, with the reason in ``note``,
when the default is missing, outside the sampled range (widened by ``MARGIN`` of its span on the
model's scale, so a default at the edge of the declared range still counts) or levels, or the
attribute (or the adjusted model) is not estimable. An attribute nested in a subspace's branch
is compared within its branch, over the values its branch's trials sampled, and only when the
master config takes that branch.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .adjusted import Adjusted
from .data import TrialData
from .design import Design

__all__ = ["BASELINE_COLUMNS", "baseline"]

BASELINE_COLUMNS = ["attribute", "default", "compared_to", "change", "ci_low", "ci_high",
                    "note"]
_NAN3 = (math.nan, math.nan, math.nan)
MARGIN = 0.05


def baseline(data: TrialData, design: Design, adjusted: Adjusted) -> pd.DataFrame:
    """One row per attribute and compared value (one row with a note when skipped)."""
    rows: list[tuple] = []
    for name in data.numerical + data.categorical:
        default = data.defaults.get(name)
        why = _skip_reason(data, design, adjusted, name, default)
        if why is not None or default is None:
            rows.append((name, _text(default), None, *_NAN3, why))
        elif name in data.numerical:
            rows += _numerical(data, design, adjusted, name, default)
        else:
            rows += _categorical(design, adjusted, name, default)
    return pd.DataFrame(rows, columns=BASELINE_COLUMNS)


def _skip_reason(data: TrialData, design: Design, adjusted: Adjusted, name: str,
                 default: Any) -> str | None:
    if default is None:
        return "no default in the master config"
    if adjusted.fit is None:
        return adjusted.note
    if name not in design.groups:
        return design.notes.get(name, "not estimable")
    if name in data.numerical:
        values = data.used[name].dropna().to_numpy(dtype=float)
        if design.logged[name] and default <= 0:
            return "default not positive on a log scale"
        scale = np.log10 if design.logged[name] else np.asarray
        low, high, at = scale(values.min()), scale(values.max()), scale(float(default))
        if not low - MARGIN * (high - low) <= at <= high + MARGIN * (high - low):
            return f"default {default:g} outside the sampled range {values.min():g} to " \
                   f"{values.max():g}"
    elif default not in design.levels[name]:
        return f"default level {default} was not sampled"
    return None


def _numerical(data: TrialData, design: Design, adjusted: Adjusted, name: str,
               default: float) -> list[tuple]:
    fit = adjusted.fit
    assert fit is not None  # else _skip_reason gave a reason
    j = design.groups[name][0] + 1
    values = data.used[name].dropna().to_numpy(dtype=float)
    scale = np.log10 if design.logged[name] else (lambda v: v)
    rows = []
    for end, value in (("lowest", values.min()), ("highest", values.max())):
        step = float(scale(value) - scale(default))
        ends = sorted((fit.low[j] * step, fit.high[j] * step))
        rows.append((name, _text(default), f"{end} sampled {value:g}", fit.params[j] * step,
                     ends[0], ends[1], None))
    return rows


def _categorical(design: Design, adjusted: Adjusted, name: str, default: str) -> list[tuple]:
    fit = adjusted.fit
    assert fit is not None  # else _skip_reason gave a reason
    index = {design.terms[j]: j + 1 for j in design.groups[name]}  # reference level: absent
    d = index.get(default)
    rows = []
    for level in design.levels[name]:
        if level == default:
            continue
        vector = np.zeros(len(fit.params))
        if level in index:
            vector[index[level]] += 1.0
        if d is not None:
            vector[d] -= 1.0
        change = float(vector @ fit.params)
        half = fit.critical * math.sqrt(float(vector @ fit.cov @ vector))
        rows.append((name, default, level, change, change - half, change + half, None))
    return rows


def _text(value: Any) -> str | None:
    return None if value is None else value if isinstance(value, str) else f"{value:g}"
