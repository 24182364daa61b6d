"""Adjusted effects: one OLS of the value on every attribute together (see design.py for the
coding), with HC3 95 % CIs. A numerical attribute's coefficient is its slope with the other
attributes held fixed; a level's coefficient is its difference from the reference level.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .design import Design
from .ols import Fit, fit_ols

__all__ = ["COEFFICIENT_COLUMNS", "Adjusted", "adjusted_effects"]

COEFFICIENT_COLUMNS = ["attribute", "term", "reference", "estimate", "ci_low", "ci_high"]


@dataclass(frozen=True)
class Adjusted:
    """The coefficient table (empty when not estimable, with ``note`` saying why) and the fit."""

    coefficients: pd.DataFrame
    fit: Fit | None
    note: str | None


def adjusted_effects(design: Design) -> Adjusted:
    """Fit the full model of ``design``."""
    fit = fit_ols(design.y, design.x)
    if fit is None:
        n, p = len(design.y), design.x.shape[1] + 1
        why = (f"{n} used trials for {p} coefficients" if n <= p
               else "the attributes are collinear in the used trials")
        return Adjusted(pd.DataFrame(columns=COEFFICIENT_COLUMNS), None,
                        f"adjusted model not estimable: {why}")
    rows = []
    for name, columns in design.groups.items():
        reference = design.levels[name][0] if name in design.levels else None
        for j in columns:
            rows.append((name, design.terms[j], reference, fit.params[j + 1], fit.low[j + 1],
                         fit.high[j + 1]))
    return Adjusted(pd.DataFrame(rows, columns=COEFFICIENT_COLUMNS), fit, None)
