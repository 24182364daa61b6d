"""Confounding check: how strongly the sampler chose attributes together.

Every pair of attributes gets one measure of association, from 0 (independent) to 1:

- two numerical attributes: Spearman's ρ (``scipy.stats.spearmanr``; signed, |ρ| is compared;
  a rank measure, so log attributes need no transform), p-value from its t approximation;
- categorical and numerical: the correlation ratio η = √(SS between levels / SS total), from
  the one-way ANOVA ``scipy.stats.f_oneway`` (η² = F·df₁ / (F·df₁ + df₂)), with the numerical
  attribute in log10 when it is declared ``log: true`` (the scale it is sampled on); p-value
  of the F test;
- two categorical attributes: Cramér's V (``scipy.stats.contingency.association``), p-value of
  the χ² test of independence (``scipy.stats.chi2_contingency``).

**Flag rule**: a pair is flagged when |value| ≥ ``threshold`` (default 0.3) **and** its
p-value, Holm-adjusted over all pairs of the experiment (``statsmodels`` ``multipletests``), is
below ``alpha`` (default 0.01). The significance part bounds the chance that a randomly sampled
experiment has any pair flagged by ``alpha``; the threshold part keeps associations too weak to
matter (|ρ| < 0.3: under 9 % shared rank variance) from being flagged only because the
experiment is large. Measured by ``benchmarks/confounding_rates.py`` (200 experiments per
size drawn by the synthetic generator's sampler: 3 numerical attributes, 1 categorical, 6
pairs): under random sampling any pair is flagged in 0.5 %, 2.5 %, 0.0 % of experiments of 50,
100, 200 trials (1.3 % of 1,000 more at 100 trials); under tpe (num_filter1 ~ lr, Spearman
≈ 0.75) num_filter1–lr is flagged in 100 % at each size.

**Which trials**: every trial whose two attributes are set, whether or not it later failed or
is still running. The association is a property of the sampler's choices, which are made
before the outcome is known; leaving out failed trials would mix survivorship (reported by
``failures``) into the confounding check. ``n`` counts the trials of the pair. A subspace is a
categorical attribute like any other (an attribute that always goes with one branch is
confounded with it); an attribute nested in a branch counts over the trials of its branch, so
its pair with its own subspace has a single level and is never flagged.
"""

from __future__ import annotations

import math
import warnings
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import association

from .holm import holm
from .names import short_names

if TYPE_CHECKING:
    from .data import TrialData

__all__ = ["THRESHOLD", "ALPHA", "associations", "confounding_warnings"]

THRESHOLD = 0.3
ALPHA = 0.01
_COLUMNS = ["attribute_a", "attribute_b", "measure", "value", "n", "p_value", "p_adjusted",
           "flagged"]
_LABELS = {"spearman": "Spearman", "correlation_ratio": "correlation ratio η",
           "cramers_v": "Cramér's V"}
_NAN = (math.nan, math.nan)


def associations(data: TrialData, *, threshold: float = THRESHOLD,
                 alpha: float = ALPHA) -> pd.DataFrame:
    """One row per pair of attributes (numerical first, in declaration order).

    Columns: attribute_a, attribute_b, measure ("spearman" | "correlation_ratio" |
    "cramers_v"), value, n, p_value, p_adjusted (Holm), flagged (the rule in the module
    docstring). value and the p-values are NaN when a pair has fewer than 3 trials or an
    attribute takes one value only; such a pair is never flagged.
    """
    rows = []
    for a, b in combinations(data.numerical + data.categorical, 2):
        pair = data.frame[[a, b]].dropna()
        x, y = _column(data, a, pair), _column(data, b, pair)
        kinds = (a in data.categorical, b in data.categorical)
        if kinds == (False, False):
            measure, (value, p) = "spearman", _spearman(x, y)
        elif kinds == (True, True):
            measure, (value, p) = "cramers_v", _cramers_v(x, y)
        else:
            levels, numbers = (x, y) if kinds[0] else (y, x)
            measure, (value, p) = "correlation_ratio", _eta(levels, numbers)
        rows.append((a, b, measure, value, len(pair), p))
    out = pd.DataFrame(rows, columns=_COLUMNS[:5] + ["p_value"]).astype(
        {"value": float, "n": int, "p_value": float})
    out["p_adjusted"] = math.nan
    tested = out["p_value"].notna().to_numpy()
    if tested.any():
        out.loc[tested, "p_adjusted"] = holm(out.loc[tested, "p_value"].to_numpy())
    out["flagged"] = (out["value"].abs() >= threshold) & (out["p_adjusted"] < alpha)
    return out[_COLUMNS]


def confounding_warnings(data: TrialData, pairs: pd.DataFrame) -> list[str]:
    """One sentence per flagged pair, with the numbers; one more when the search was TPE."""
    names = short_names(data.numerical + data.categorical)
    out = [
        f"{names[r.attribute_a]} and {names[r.attribute_b]} were sampled together "
        f"({_LABELS[r.measure]} {r.value:.2f}, n = {r.n}): their separate effects are "
        "confounded; read the adjusted effects."
        for r in pairs[pairs["flagged"]].itertuples()
    ]
    if data.search_algo == "tpe":
        out.append(
            "The search used TPE, which chooses each trial's attributes from the results of "
            "earlier trials: attributes are sampled together and each marginal effect mixes in "
            "the others (the ABLATOR tutorial found contradictory conclusions from different TPE "
            "initialisations). Read the adjusted effects, and prefer search_algo random for "
            "ablations."
        )
    return out


def _column(data: TrialData, name: str, pair: pd.DataFrame) -> pd.Series:
    """The pair's values of one attribute: text for categorical; float otherwise, in log10 for
    a ``log: true`` attribute whose values are all positive."""
    if name in data.categorical:
        return pair[name].astype(str)
    values = pd.to_numeric(pair[name], errors="coerce").astype(float)
    if data.log.get(name) and bool((values > 0).all()):
        return np.log10(values)
    return values


def _spearman(x: pd.Series, y: pd.Series) -> tuple[float, float]:
    """Spearman's ρ and its p-value (NaN when undefined)."""
    if len(x) < 3 or x.nunique() < 2 or y.nunique() < 2:
        return _NAN
    result = stats.spearmanr(x.to_numpy(), y.to_numpy())
    return float(result.statistic), float(result.pvalue)


def _eta(levels: pd.Series, numbers: pd.Series) -> tuple[float, float]:
    """The correlation ratio η of numbers by levels and the ANOVA F test's p-value."""
    groups = [g.to_numpy() for _, g in numbers.groupby(levels, sort=True)]
    if len(numbers) < 3 or len(groups) < 2 or numbers.nunique() < 2:
        return _NAN
    df_between, df_within = len(groups) - 1, len(numbers) - len(groups)
    if df_within < 1:
        return _NAN
    with warnings.catch_warnings():  # every level constant: F is infinite, η is 1
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        result = stats.f_oneway(*groups)
    f = float(result.statistic)
    if math.isinf(f):
        return 1.0, 0.0
    return math.sqrt(f * df_between / (f * df_between + df_within)), float(result.pvalue)


def _cramers_v(x: pd.Series, y: pd.Series) -> tuple[float, float]:
    """Cramér's V of two categorical attributes and the χ² test's p-value."""
    table = pd.crosstab(x, y).to_numpy()
    if len(x) < 3 or min(table.shape) < 2:
        return _NAN
    value = association(table, method="cramer")
    return float(value), float(stats.chi2_contingency(table).pvalue)

