"""Robustness of each finding: does its conclusion survive without a few trials, and on ranks?

The adjusted model (adjusted.py) is refitted twice:

- **without the influential trials**: the trials that are both influential (Cook's distance in
  the adjusted model above ``4 / n``, the usual cut-off; statsmodels ``OLSInfluence``) and
  outlying (externally studentized residual beyond ±3) are left out, and the model refitted;
  this is repeated (at most ``ROUNDS`` times) until there is none, since a group of diverged
  trials masks each other in a single pass;
- **on ranks**: the same model of the metric's ranks (``scipy.stats.rankdata``, ties averaged),
  where a trial whose metric diverged to 30 times the others counts as merely the worst.

Each term's conclusion is "+", "-" or "none" (its HC3 95 % CI spans zero). A term is
**fragile** when its adjusted conclusion is clear and either refit's is not the same (it
becomes "none" or the other sign); an attribute is fragile when any of its terms is, and its
finding then says which refit changes what, with the number of influential trials. A "no clear
effect" claims nothing, so it is not flagged when a refit finds a sign: leaving out the trials
that fit worst narrows every CI, and flagging that made the null attribute of the synthetic
experiments fragile in many of them. Measured by ``benchmarks/robustness_rates.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.regression.linear_model import OLS
from statsmodels.stats.outliers_influence import OLSInfluence

from .adjusted import Adjusted, adjusted_effects
from .design import Design, conclusion

__all__ = ["ROBUSTNESS_COLUMNS", "Robustness", "robustness"]

ROUNDS = 5
OUTLIER = 3.0
ROBUSTNESS_COLUMNS = ["attribute", "term", "conclusion", "n_influential", "without_estimate",
                      "without_low", "without_high", "without_conclusion", "rank_estimate",
                      "rank_low", "rank_high", "rank_conclusion", "fragile"]


@dataclass(frozen=True)
class Robustness:
    """Per adjusted term: the conclusion, and the refits' estimates, CIs and conclusions
    (``table``; the rank fit's numbers are in ranks); ``fragile`` maps each fragile attribute
    to the sentence its finding gets."""

    table: pd.DataFrame
    fragile: dict[str, str]


def robustness(design: Design, adjusted: Adjusted, direction: str, labels: dict[str, str]
               ) -> Robustness:
    """The two refits of ``adjusted`` (empty when it was not fitted); ``labels`` are the
    attributes' names as the findings say them."""
    if adjusted.fit is None:
        return Robustness(pd.DataFrame(columns=ROBUSTNESS_COLUMNS), {})
    y, x = design.y, design.x
    keep = _without_influential(y, x)
    without = _coefficients(Design(x[keep], y[keep], design.terms, design.groups,
                                   design.logged, design.levels, design.notes))
    ranked = _coefficients(Design(x, stats.rankdata(y), design.terms, design.groups,
                                  design.logged, design.levels, design.notes))
    n_influential = int((~keep).sum())
    rows = []
    for r in adjusted.coefficients.itertuples():
        w = without.get(r.term, (np.nan, np.nan, np.nan))
        k = ranked.get(r.term, (np.nan, np.nan, np.nan))
        c, c_w, c_k = conclusion(r.ci_low, r.ci_high), conclusion(*w[1:]), conclusion(*k[1:])
        rows.append((r.attribute, r.term, c, n_influential, *w, c_w, *k, c_k,
                     c != "none" and (c_w != c or c_k != c)))
    table = pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)
    fragile = {}
    for attribute, terms in table[table["fragile"]].groupby("attribute", sort=False):
        numerical = attribute not in design.levels
        parts = []
        for t in terms.itertuples():
            for refit, said in (("without them", t.without_conclusion),
                                ("on ranks", t.rank_conclusion)):
                if said != t.conclusion:
                    parts.append(f"{refit} {_said(said, t.term, numerical, direction)}")
        head = (f"driven by {n_influential} influential trials (Cook's distance above 4/n, "
                "studentized residual beyond \u00b13)"
                if (terms["without_conclusion"] != terms["conclusion"]).any()
                else "its extreme values decide")
        fragile[attribute] = f"{labels[attribute]} is fragile, {head}: {'; '.join(parts)}."
    return Robustness(table, fragile)


def _without_influential(y: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Which trials to keep: the influential outliers left out, again after each removal
    (a group of diverged trials hides each other from a single pass)."""
    keep = np.ones(len(y), dtype=bool)
    for _ in range(ROUNDS):
        design = np.column_stack([np.ones(keep.sum()), x[keep]])
        if keep.sum() <= design.shape[1] + 1:
            break
        n, p = design.shape
        with np.errstate(all="ignore"):
            influence = OLSInfluence(OLS(y[keep], design).fit())
            internal = influence.resid_studentized_internal
            # externally studentized, from the internal one (statsmodels refits n times)
            external = internal * np.sqrt((n - p - 1) / np.maximum(n - p - internal**2, 1e-12))
            # Cook's distance as statsmodels' cooks_distance computes it, without its p-values
            hat = influence.hat_matrix_diag
            cooks = internal**2 / p * (hat / (1 - hat))
            drop = (cooks > 4.0 / n) & (np.abs(external) > OUTLIER)
        if not drop.any():
            break
        keep[np.flatnonzero(keep)[drop]] = False
    return keep


def _coefficients(design: Design) -> dict[str, tuple[float, float, float]]:
    """Each term's adjusted estimate and CI in ``design`` (empty when not estimable)."""
    table = adjusted_effects(design).coefficients
    return {r.term: (r.estimate, r.ci_low, r.ci_high) for r in table.itertuples()}


def _said(sign: str, term: str, numerical: bool, direction: str) -> str:
    """A conclusion in words: "higher is worse", "elu is better", "no clear effect"."""
    if sign == "none":
        return "the effect is not clear" if numerical else f"{term}'s difference is not clear"
    better = (sign == "+") == (direction == "max")
    word = "better" if better else "worse"
    return f"higher is {word}" if numerical else f"{term} is {word}"
