"""Findings: one short sentence with numbers per attribute, then the warnings as sentences.

Each attribute's sentence states the adjusted effect (the marginal one, said so, when the
adjusted model cannot be fitted). A direction ("higher is better", "elu is worse than relu")
is stated only when the 95 % CI excludes zero; otherwise the sentence says "no clear effect"
with the interval that spans zero. Better and worse follow the metric's direction. A slope is
stated per 10× for log attributes, else per the power of ten at or below the sampled span
("per 100 units" for 65 to 250), so that its numbers read at the scale the search moved on.

"Adjusted for the other attributes" is said only when every other attribute is in the model;
when some are not (not estimable) the ones it is adjusted for are named, and an attribute alone
in the model is said to be so. An attribute nested in a subspace's branch says where it applies
("lr, only where optimizer_config is adam (9 used trials)"); a subspace's sentence says at
what value of its nested attributes the branches are compared.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..store.numbers import number
from .data import TrialData
from .design import Design, conclusion, within
from .names import short_names

if TYPE_CHECKING:  # the models' modules import statsmodels: not for the number formatter
    from .adjusted import Adjusted
    from .sensitivity import Sensitivity

__all__ = ["attribute_findings", "number", "warning_sentences"]


def attribute_findings(data: TrialData, design: Design, adjusted: Adjusted,
                       slopes: pd.DataFrame, levels: pd.DataFrame,
                       fragile: dict[str, str] | None = None) -> list[str]:
    """One sentence per attribute, in declaration order (numerical, then categorical), with
    the ``fragile`` attributes' robustness sentence (robustness.py) after their own."""
    names = short_names(data.attributes)
    marginal = adjusted.fit is None
    coefficients = (_marginal_as_coefficients(slopes, levels) if marginal
                    else adjusted.coefficients)
    out = []
    for name in data.attributes:
        rows = coefficients[coefficients["attribute"] == name]
        label = _label(data, design, names, name)
        basis = (f"marginal, not adjusted ({adjusted.note})" if marginal
                 else _basis(data, design, names, name))
        if name in design.notes or rows.empty:
            out.append(f"{label}: {design.notes.get(name, 'not estimable')}.")
        elif name in data.numerical:
            out.append(_numerical(data, design, label, rows.iloc[0], basis))
        else:
            out.append(_categorical(data, label, rows, basis + _compared_at(data, design,
                                                                            names, name)))
        if fragile and name in fragile:
            out[-1] += " " + fragile[name]
    return out


def _label(data: TrialData, design: Design, names: dict[str, str], name: str) -> str:
    """The attribute's short name, with where it applies when it is nested."""
    where = within(data, name)
    if not where:
        return names[name]
    inside = design.rows[name]
    return f"{names[name]}, only where {where} ({int(inside.sum())} used trials)"


def _basis(data: TrialData, design: Design, names: dict[str, str], name: str) -> str:
    """What an adjusted estimate is adjusted for."""
    others = [a for a in data.attributes if a != name]
    modelled = [a for a in others if a in design.groups]
    if not modelled:
        return "the only attribute in the model, so adjusted for no other"
    if len(modelled) == len(others):
        return "adjusted for the other attributes"
    return "adjusted for " + ", ".join(names[a] for a in modelled)


def _compared_at(data: TrialData, design: Design, names: dict[str, str], name: str) -> str:
    """For a subspace: the values of its nested attributes at which branches are compared."""
    parts = []
    for nested, condition in data.conditions.items():
        if condition.parent != name or nested not in design.groups:
            continue
        mean = "geometric mean" if design.logged.get(nested) else "mean"
        at = (f"the {mean} {names[nested]} of its used trials" if nested in data.numerical
              else f"{names[nested]} {design.levels[nested][0]}")
        parts.append(f"{' and '.join(condition.branches)} at {at}")
    return "; " + "; ".join(parts) if parts else ""


def warning_sentences(data: TrialData, disagreement: pd.DataFrame, sensitivity: Sensitivity
                      ) -> list[str]:
    """Marginal/adjusted disagreements and policy-sensitive conclusions, as sentences."""
    names = short_names(data.attributes)
    out = []
    for r in disagreement[disagreement["disagree"]].itertuples():
        term = "" if r.term == r.attribute else f" ({r.term})"
        out.append(
            f"{names[r.attribute]}{term}: the marginal effect {number(r.marginal)} (95 % CI "
            f"{number(r.marginal_low)} to {number(r.marginal_high)}) and the adjusted effect "
            f"{number(r.adjusted)} (95 % CI {number(r.adjusted_low)} to "
            f"{number(r.adjusted_high)}) disagree: on its own the attribute's trend mixes in "
            "the attributes sampled with it; trust the adjusted effect.")
    table = sensitivity.table
    for attribute, reasons in sensitivity.flagged.items():
        rows = table[table["attribute"] == attribute]
        if "sign" in reasons:
            parts = "; ".join(
                f"{r.policy}{'' if r.term == attribute else ' ' + r.term} {number(r.estimate)} "
                f"({number(r.ci_low)} to {number(r.ci_high)})" for r in rows.itertuples())
            out.append(f"{names[attribute]}: the sign of the effect depends on how each "
                       f"trial's curve is reduced ({parts}).")
        if "rank" in reasons:
            ranks = ", ".join(f"{p} {int(k)}" for p, k in rows.drop_duplicates("policy")[
                ["policy", "importance_rank"]].dropna().itertuples(index=False))
            out.append(f"{names[attribute]}: its importance rank depends on how each trial's "
                       f"curve is reduced ({ranks}).")
    return out


def _numerical(data: TrialData, design: Design, label: str, row: pd.Series, basis: str
               ) -> str:
    if design.logged.get(row["attribute"]):
        step, unit = 1.0, "per 10\u00d7 increase"
    else:
        step = _step(data.used[row["attribute"]].to_numpy(dtype=float))
        unit = "per unit" if step == 1 else f"per {step:g} units"
    estimate, low, high = (row[c] * step for c in ("estimate", "ci_low", "ci_high"))
    interval = f"95 % CI {number(low)} to {number(high)}"
    sign = conclusion(row["ci_low"], row["ci_high"])
    if sign == "none":
        return (f"{label}: no clear effect ({number(estimate, sign=True)} "
                f"{data.metric} {unit}, {interval} spans zero), {basis}.")
    better = (sign == "+") == (data.direction == "max")
    return (f"{label}: higher is {'better' if better else 'worse'}, "
            f"{number(estimate, sign=True)} {data.metric} {unit} ({interval}), {basis}.")


def _step(values: np.ndarray) -> float:
    """The change a sentence states an effect for: the power of ten at or below the sampled
    span (1 unit for a span of 1 to 9, 100 for 65 to 250, 0.01 for 0.02 to 0.05)."""
    span = float(np.nanmax(values) - np.nanmin(values)) if len(values) else 0.0
    return 10.0 ** math.floor(math.log10(span)) if span > 0 else 1.0


def _categorical(data: TrialData, label: str, rows: pd.DataFrame, basis: str) -> str:
    reference = rows.iloc[0]["reference"]
    parts, clear = [], False
    for r in rows.itertuples():
        interval = f"95 % CI {number(r.ci_low)} to {number(r.ci_high)}"
        sign = conclusion(r.ci_low, r.ci_high)
        if sign == "none":
            parts.append(f"{r.term} no clear difference ({number(r.estimate, sign=True)}, "
                         f"{interval} spans zero)")
            continue
        clear = True
        better = (sign == "+") == (data.direction == "max")
        low, high = sorted((abs(r.ci_low), abs(r.ci_high)))  # the CI excludes zero
        parts.append(f"{r.term} is {'better' if better else 'worse'} by "
                     f"{number(abs(r.estimate))} {data.metric} (95 % CI {number(low)} to "
                     f"{number(high)})")
    head = f"{label} (against {reference}, {basis})"
    if not clear:
        return f"{head}: no clear effect; " + "; ".join(parts) + "."
    return f"{head}: " + "; ".join(parts) + "."


def _marginal_as_coefficients(slopes: pd.DataFrame, levels: pd.DataFrame) -> pd.DataFrame:
    """The marginal estimates shaped like the adjusted coefficient table."""
    rows = [(r.attribute, r.attribute, None, r.estimate, r.ci_low, r.ci_high)
            for r in slopes.itertuples() if pd.notna(r.estimate)]
    reference = {r.attribute: r.level for r in levels.itertuples() if r.reference}
    rows += [(r.attribute, r.level, reference[r.attribute], r.diff_reference,
              r.diff_reference_low, r.diff_reference_high)
             for r in levels.itertuples() if not r.reference]
    return pd.DataFrame(rows, columns=["attribute", "term", "reference", "estimate", "ci_low",
                                       "ci_high"])
