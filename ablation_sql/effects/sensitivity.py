"""Reduction sensitivity: do the conclusions survive reducing each trial's curve differently?

The adjusted model and the importance ranking are recomputed for each policy (``best``,
``last``, ``mean_last`` of the last k). An attribute is flagged when

- a **sign change**: two policies' estimates of one of its terms have opposite signs and at
  least one of those two CIs excludes zero (opposite signs of two estimates that both span zero
  are noise, not a change of conclusion); or
- a **rank change**: another policy reverses a clear order of importance (LMG share) under
  the analysed policy: two attributes whose importance CIs are disjoint there swap places
  (a swap of two attributes whose CIs overlap was never a conclusion to begin with).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .adjusted import adjusted_effects
from .data import TrialData
from .design import Design, build_design, conclusion
from .importance import importance

__all__ = ["SENSITIVITY_COLUMNS", "Sensitivity", "sensitivity"]

SENSITIVITY_COLUMNS = ["attribute", "term", "policy", "n_used", "estimate", "ci_low",
                       "ci_high", "conclusion", "importance_rank"]


@dataclass(frozen=True)
class Sensitivity:
    """Per attribute, term and policy: the adjusted estimate and importance rank; and the
    flagged attributes with the reason ("sign" and/or "rank")."""

    table: pd.DataFrame
    flagged: dict[str, list[str]]


def sensitivity(datasets: dict[str, TrialData], primary: str, weights: pd.DataFrame,
                design: Design, coefficients: pd.DataFrame) -> Sensitivity:
    """Compare the adjusted conclusions of the same experiment reduced by each policy;
    ``weights`` is the importance table (share with its CI), ``design`` and ``coefficients``
    the design and adjusted coefficients under the ``primary`` policy (not computed again)."""
    frames = [_policy_rows(policy, design, coefficients, weights) if policy == primary
              else _policy_rows(policy, *_refit(data)) for policy, data in datasets.items()]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=SENSITIVITY_COLUMNS)
    flagged: dict[str, list[str]] = {}
    for (attribute, _), rows in table.groupby(["attribute", "term"], sort=False):
        if _sign_change(rows) and "sign" not in flagged.get(attribute, []):
            flagged.setdefault(attribute, []).append("sign")
    for attribute in _reversed(table, primary, weights):
        flagged.setdefault(attribute, []).append("rank")
    return Sensitivity(table[SENSITIVITY_COLUMNS], flagged)


def _reversed(table: pd.DataFrame, primary: str, weights: pd.DataFrame) -> list[str]:
    """Attributes in a pair whose clear order under ``primary`` another policy reverses."""
    ranks = table.drop_duplicates(["attribute", "policy"]).pivot(
        index="attribute", columns="policy", values="importance_rank")
    w = weights.set_index("attribute")
    found: list[str] = []
    for a in w.index:
        for b in w.index:
            if a == b or a not in ranks.index or b not in ranks.index:
                continue
            if not w.at[a, "ci_low"] > w.at[b, "ci_high"]:  # a clearly above b, or not
                continue
            others = [c for c in ranks.columns if c != primary]
            if any(ranks.at[a, c] > ranks.at[b, c] for c in others):
                found += [x for x in (a, b) if x not in found]
    return found


def _refit(data: TrialData) -> tuple[Design, pd.DataFrame, pd.DataFrame]:
    """The design, adjusted coefficients and importance (no CI) of ``data``."""
    design = build_design(data)
    return (design, adjusted_effects(design).coefficients,
            importance(design, n_boot=0, seed=0).table)


def _policy_rows(policy: str, design: Design, coefficients: pd.DataFrame,
                 weights: pd.DataFrame) -> pd.DataFrame:
    ranks = dict(weights[["attribute", "rank"]].itertuples(index=False))
    rows = [(r.attribute, r.term, policy, len(design.y), r.estimate, r.ci_low, r.ci_high,
             conclusion(r.ci_low, r.ci_high), ranks.get(r.attribute, np.nan))
            for r in coefficients.itertuples()]
    return pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)


def _sign_change(rows: pd.DataFrame) -> bool:
    """Two policies with opposite signs, at least one of them with a CI excluding zero."""
    signs = np.sign(rows["estimate"].to_numpy(dtype=float))
    clear = (rows["conclusion"] != "none").to_numpy()
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            if signs[i] * signs[j] < 0 and (clear[i] or clear[j]):
                return True
    return False
