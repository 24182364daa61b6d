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
(any reason) over the levels × (used, left out) table, exact at any size: Fisher's exact test
(``scipy.stats.fisher_exact``) for two levels, and for more its r × 2 generalisation (the
Freeman–Halton statistic, the table's probability under fixed margins) with a Monte Carlo
p-value from 9,999 tables (``scipy.stats.random_table``) drawn with a seed taken from the
observed table (repeatable, and independent between tables). p-values are Holm-adjusted
over the attributes tested (``statsmodels`` ``multipletests``) and an attribute is warned
about when the adjusted p-value is below ``alpha`` (0.01). Every attribute with at least 2
levels, one trial left out and one used is tested, however few trials there are: 4 of 4 gelu
trials failed against 0 of 12 others gives p = 1/1820 before adjustment. The levels named as
over-represented are those whose adjusted standardized residual for "left out" is above 1.96
(statsmodels ``Table.standardized_resids``), or the level with the highest rate when none is.

**All left out**: a categorical level (a subspace's branch included) whose every trial was left
out gets a statement of its own (``all_left_out_statements``), whatever the test says: its
effect cannot be estimated.

Measured by ``benchmarks/failure_rates.py`` (200 experiments per cell, 4 attributes, the
generator's sampler, at 16 / 50 / 200 trials): with 10 % of the trials failed uniformly, a
warning in 0 %, 0 %, 3.5 %; at 200 trials over 2,000 experiments 1.2 % (1.6 % of the first 800,
0.9 % of the next 1,200), within sampling error of the nominal 1 % (with one seed shared by
every Monte Carlo p-value it was 2.1 % of the same 800: its error repeated); with 30 %,
0.5 %, 0 %, 1.5 %. Activation warned about when each elu trial fails with probability 0.25
(others 0.05): 0.5 %, 7 %, 72.5 %; 0.5: 2 %, 65 %, 100 %; every elu trial: 73 %, 100 %, 100 %
(and the all-failed statement in 100 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import Table

from ..errors import InputError
from .holm import holm
from .names import short_names

if TYPE_CHECKING:
    from .data import TrialData

__all__ = ["REASONS", "ALPHA", "all_left_out_statements", "failure_rates",
           "survivorship_warnings"]

REASONS = ("failed", "running", "null", "infinite", "unset")
ALPHA = 0.01
_RESIDUAL = 1.96
_PAST = {"failed": "failed", "running": "are still running", "null": "have no value",
         "infinite": "have an infinite value", "unset": "lack an attribute",
         "pruned": "were pruned", "waiting": "never started", "missing": "are missing",
         "unknown": "never finished"}


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
    why = pd.Categorical(reason, categories=reasons).codes  # -1: used
    rows = []
    for name in data.numerical + data.categorical:
        levels = _levels(data, name, bins)
        code = levels.cat.codes.to_numpy()
        size = len(levels.cat.categories)
        n = np.bincount(code[code >= 0], minlength=size)
        left = (code >= 0) & (why >= 0)
        counts = np.bincount(code[left] * len(reasons) + why[left],
                             minlength=size * len(reasons)).reshape(size, len(reasons))
        for i, label in enumerate(levels.cat.categories):
            if n[i]:
                rows.append([name, str(label), int(n[i]), int(counts[i].sum()),
                             int(counts[i].sum()) / int(n[i]), *map(int, counts[i])])
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
        if len(group) < 2 or table[:, 1].sum() < 1 or table[:, 0].sum() < 1:
            continue
        tested.append((name, group, table, _p_value(table)))
    if not tested:
        return []
    adjusted = holm([t[3] for t in tested])
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


def all_left_out_statements(data: TrialData, rates: pd.DataFrame) -> list[str]:
    """One sentence per categorical level whose every trial was left out, e.g. "gelu
    (activation): 4 of 4 trials failed; its effect cannot be estimated." """
    names = short_names(data.numerical + data.categorical)
    reasons = list(rates.columns[rates.columns.get_loc("rate") + 1:])
    out = []
    for row in rates[rates["attribute"].isin(data.categorical)].to_dict("records"):
        if row["n"] == 0 or row["n_left_out"] < row["n"]:
            continue
        counts = {reason: int(row[reason]) for reason in reasons if row[reason]}
        what = f"{row['n']} of {row['n']} trials " + (
            _PAST.get(next(iter(counts)), "were left out") if len(counts) == 1 else
            "were left out (" + ", ".join(f"{n} {r}" for r, n in counts.items()) + ")")
        out.append(f"{row['level']} ({names[row['attribute']]}): {what}; its effect cannot be "
                   "estimated.")
    return out


def _levels(data: TrialData, name: str, bins: int) -> pd.Series:
    """Each trial's level of one attribute as an ordered categorical (NaN when unset)."""
    column = data.frame[name]
    if name in data.categorical:
        text = column.dropna().astype(str)
        present = set(text.unique())
        declared = [c for c in data.categories.get(name, []) if c in present]
        order = declared + sorted(present - set(declared))
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
    """p-value of Fisher's exact test of independence: exact for two levels, Monte Carlo
    (fixed margins) for more (rows with no trial dropped), seeded by the observed table: the
    same table always gets the same p-value, and different tables draw independent samples,
    so the Monte Carlo error does not repeat across attributes or experiments."""
    table = table[table.sum(axis=1) > 0]
    if len(table) == 2:
        return float(stats.fisher_exact(table).pvalue)
    rng = np.random.default_rng([len(table), *table.ravel().tolist()])
    method = stats.MonteCarloMethod(n_resamples=9999, rng=rng)
    # scipy gives a one-element array, not a scalar, for some tables (e.g. one empty column)
    return float(np.ravel(stats.fisher_exact(table, method=method).pvalue)[0])


def _p(p: float) -> str:
    """A p-value for a sentence: "p = 0.0031" or "p < 0.0001"."""
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.2g}"
