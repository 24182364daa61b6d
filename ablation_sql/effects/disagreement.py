"""Marginal against adjusted: where looking at an attribute alone misleads.

Each conclusion is "+", "-" or "none" (the 95 % CI spans zero). For a numerical attribute the
marginal slope is compared with the adjusted slope; for a categorical one, each level's
marginal difference from the reference level with its adjusted coefficient. A term disagrees
when the marginal CI excludes zero and the adjusted conclusion differs: the adjusted CI spans
zero (the trend on its own comes from attributes sampled with it) or excludes zero on the other
side, and the adjusted estimate lies outside the marginal CI (the two estimates are not
compatible: a borderline marginal CI that just excludes zero by chance, as happens in about
5 % of randomly sampled experiments, does not count on its own). The reverse (adjusted
excludes zero, marginal spans it) is not flagged: the marginal estimate carries the other
attributes' variance as noise, so it is often merely less precise, and "no clear effect" on
its own is not a misleading claim. Counting it flagged 35 % of
randomly sampled synthetic experiments; without the compatibility condition 5.5 %
(benchmarks/effects_rates.py). An attribute is flagged when any of its terms disagrees.
"""

from __future__ import annotations

import pandas as pd

from .design import conclusion

__all__ = ["DISAGREEMENT_COLUMNS", "disagreements"]

DISAGREEMENT_COLUMNS = ["attribute", "term", "marginal", "marginal_low", "marginal_high",
                        "adjusted", "adjusted_low", "adjusted_high", "marginal_conclusion",
                        "adjusted_conclusion", "disagree"]


def disagreements(slopes: pd.DataFrame, levels: pd.DataFrame, coefficients: pd.DataFrame
                  ) -> pd.DataFrame:
    """One row per adjusted coefficient with the matching marginal estimate."""
    marginal = {(r.attribute, r.attribute): (r.estimate, r.ci_low, r.ci_high)
                for r in slopes.itertuples()}
    marginal |= {(r.attribute, r.level): (r.diff_reference, r.diff_reference_low,
                                          r.diff_reference_high)
                 for r in levels.itertuples() if not r.reference}
    rows = []
    for r in coefficients.itertuples():
        m, m_low, m_high = marginal[(r.attribute, r.term)]
        m_c, a_c = conclusion(m_low, m_high), conclusion(r.ci_low, r.ci_high)
        outside = not m_low <= r.estimate <= m_high
        rows.append((r.attribute, r.term, m, m_low, m_high, r.estimate, r.ci_low, r.ci_high,
                     m_c, a_c, m_c != "none" and m_c != a_c and outside))
    return pd.DataFrame(rows, columns=DISAGREEMENT_COLUMNS)
