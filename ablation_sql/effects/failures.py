"""Failure accounting: which trials are left out of the effects, per attribute level.

Levels: a categorical attribute's values (declared order, then undeclared values sorted); a
numerical attribute's quantile bins: ``bins`` bins between the quantiles 0, 1/bins, …, 1 of its
values (``numpy.quantile``, linear interpolation; on log10 of the values for attributes declared
``log: true``, so the edges are geometric there), edges that coincide merged, each bin
``[low, high)`` and the last ``[low, high]``, edges printed with 4 significant digits. An
attribute with at most ``bins`` distinct values has one level per value instead. Trials
without a value of an attribute are not counted for it. Bins are computed over every trial that
has the attribute, left out or not.

**Survivorship rule**: for each attribute, a test of independence between level and left out
(any reason) over the levels × (used, left out) table: the χ² statistic
(``scipy.stats.chi2_contingency``) with its Monte Carlo p-value under fixed margins (9,999
seeded tables from ``scipy.stats.random_table``), valid however few trials are left out
(where the asymptotic χ² approximation is poor). p-values are Holm-adjusted over the attributes
tested (``statsmodels`` ``multipletests``) and an attribute is warned about when the adjusted
p-value is below ``alpha`` (0.01). An attribute is not tested (no warning: too little to say)
when it has fewer than 2 levels, or fewer than 5 trials left out or 5 used. The levels named as
over-represented are those whose adjusted standardized residual for "left out" is above 1.96
(statsmodels ``Table.standardized_resids``), or the level with the highest rate when none is.
Measured by ``benchmarks/confounding_rates.py`` (10 % of the trials failed, 4 attributes): with
the failures chosen uniformly, a warning in 0 %, 2 %, 3 % of 200 experiments of 50, 100, 200
trials (1.0 % of 600 more at 200 trials, as α = 0.01 allows); with elu trials failing at 25 %
and the others at 5 %, in 7 %, 34 %, 78 %.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table
from statsmodels.stats.multitest import multipletests

from ..errors import InputError
from .names import short_names

if TYPE_CHECKING:
    from .data import TrialData

__all__ = ["REASONS", "ALPHA", "MIN_COUNT", "failure_rates", "survivorship_warnings"]

REASONS = ("failed", "running", "null", "infinite", "unset")
ALPHA = 0.01
MIN_COUNT = 5
_RESIDUAL = 1.96


def failure_rates(data: TrialData, *, bins: int = 4) -> pd.DataFrame:
    """Per attribute level: n, n_left_out, rate = n_left_out / n, and one count per reason.

    Columns: attribute, level, n, n_left_out, rate, then ``REASONS`` and any other reason in
    the data (sorted). Rows: attributes numerical first, in declaration order; levels in order.
    """
    if bins < 1:
        raise InputError(f"bins must be at least 1, not {bins}")
    reason = data.frame["reason"]
    others = sorted(set(reason.dropna()) - set(REASONS))
    reasons = list(REASONS) + others
    rows = []
    for name in data.numerical + data.categorical:
        levels = _levels(data, name, bins)
        for label in levels.cat.categories:
            mask = (levels == label).to_numpy()
            if not mask.any():
                continue
            why = reason[mask]
            counts = [int((why == r).sum()) for r in reasons]
            n, left = int(mask.sum()), int(why.notna().sum())
            rows.append([name, str(label), n, left, left / n, *counts])
    return pd.DataFrame(rows, columns=["attribute", "level", "n", "n_left_out", "rate",
                                       *reasons])


def survivorship_warnings(data: TrialData, rates: pd.DataFrame, *,
                          alpha: float = ALPHA) -> list[str]:
    """One sentence per attribute whose left-out trials concentrate in some levels (the rule in
    the module docstring), naming the over-represented levels with their counts."""
    tested = []
    for name, group in rates.groupby("attribute", sort=False):
        left = group["n_left_out"].to_numpy()
        table = np.column_stack([group["n"].to_numpy() - left, left])
        if len(group) < 2 or table[:, 1].sum() < MIN_COUNT or table[:, 0].sum() < MIN_COUNT:
            continue
        tested.append((name, group, table, _p_value(table)))
    if not tested:
        return []
    adjusted = multipletests([t[3] for t in tested], method="holm")[1]
    names = short_names(data.numerical + data.categorical)
    out = []
    for (name, group, table, _), p in zip(tested, adjusted, strict=True):
        if p >= alpha:
            continue
        overall = table[:, 1].sum() / table.sum()
        residuals = Table(table, shift_zeros=False).standardized_resids[:, 1]
        over = np.flatnonzero(residuals > _RESIDUAL)
        if not len(over):
            over = np.array([int(np.argmax(group["rate"].to_numpy()))])
        levels = "; ".join(
            f"{group['level'].iloc[i]} has {table[i, 1]} of {table[i].sum()} left out "
            f"({table[i, 1] / table[i].sum():.0%})" for i in over
        )
        out.append(
            f"{names.get(name, name)}: the left-out trials concentrate in some levels ({levels}; "
            f"{overall:.0%} overall; independence test {_p(p)}, Holm-adjusted over "
            f"{len(tested)} attributes). The effects use only the trials left in, so they may "
            "be biased at these levels (survivorship)."
        )
    return out


def _levels(data: TrialData, name: str, bins: int) -> pd.Series:
    """Each trial's level of one attribute as an ordered categorical (NaN when unset)."""
    column = data.frame[name]
    if name in data.categorical:
        text = column.dropna().astype(str)
        declared = [c for c in data.categories.get(name, []) if c in set(text)]
        order = declared + sorted(set(text) - set(declared))
        return pd.Series(pd.Categorical(text.reindex(column.index), categories=order,
                                        ordered=True), index=column.index)
    x = pd.to_numeric(column, errors="coerce").astype(float)
    x = x.where(np.isfinite(x))
    logged = bool(data.log.get(name)) and bool((x.dropna() > 0).all())
    t = np.log10(x) if logged else x
    values = np.unique(t.dropna())
    if len(values) <= bins:
        labels = _unique([_number(v, logged, d) for v in values] for d in (4, 17))
        codes = np.searchsorted(values, t.fillna(values[0] if len(values) else 0))
    else:
        edges = np.unique(np.quantile(t.dropna(), np.linspace(0, 1, bins + 1)))
        codes = np.clip(np.searchsorted(edges, t.fillna(edges[0]), side="right") - 1,
                        0, len(edges) - 2)
        labels = _unique(
            [f"[{_number(lo, logged, d)}, {_number(hi, logged, d)}"
             f"{']' if i == len(edges) - 2 else ')'}"
             for i, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True))]
            for d in (4, 17)
        )
    codes = np.where(t.isna(), -1, codes)
    return pd.Series(pd.Categorical.from_codes(codes, categories=labels, ordered=True),
                     index=column.index)


def _number(value: float, logged: bool, digits: int) -> str:
    """A level edge or value in the attribute's units, with ``digits`` significant digits."""
    return f"{10.0**value if logged else value:.{digits}g}"


def _unique(candidates: Iterable[list[str]]) -> list[str]:
    """The first list of labels without duplicates (the last one when none is)."""
    for labels in candidates:
        if len(set(labels)) == len(labels):
            break
    return labels


def _p_value(table: np.ndarray) -> float:
    """Monte Carlo p-value of the χ² test of independence (rows with no trial dropped)."""
    table = table[table.sum(axis=1) > 0]
    method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(0))
    return float(stats.chi2_contingency(table, correction=False, method=method).pvalue)


def _p(p: float) -> str:
    """A p-value for a sentence: "p = 0.0031" or "p < 0.0001"."""
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.2g}"
