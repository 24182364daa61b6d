"""The regression design shared by the analyses: transformed numbers and one-hot levels.

Numerical attributes enter as their value, or as log10 of it when the search space declares
``log: true`` and every used value is positive (a slope is then per 10× increase).
Categorical attributes enter as one indicator per level except the reference level (treatment
coding), the reference being the first declared level that was sampled. An attribute that
takes a single value among the used trials has no columns (it cannot be estimated) and gets a
note.

An attribute nested in a subspace's branch (see conditions.py) is estimated within the trials
of its branch: its columns are zero in the other trials, a number enters centred on its mean
over its branch's used trials, and a categorical one's reference level is absorbed by the
branch's own indicator. Its coefficient is then its effect within the branch, and the branch's
coefficient compares branches with the nested attribute at that mean (or reference level).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd

from .data import TrialData
from .names import short_names

__all__ = ["Design", "build_design", "conclusion", "within"]


@dataclass(frozen=True)
class Design:
    """``x`` (n × p, no intercept column) and ``y`` of the used trials.

    ``terms[j]`` names column j (the attribute for numbers, the level for categorical
    indicators); ``groups`` maps each estimable attribute to its columns; ``logged`` says which
    numerical attributes are on the log10 scale; ``levels`` gives each categorical attribute's
    sampled levels, reference first; ``notes`` explain attributes left out of the design;
    ``rows`` marks, for each nested attribute, the used trials it applies to.
    """

    x: np.ndarray
    y: np.ndarray
    terms: list[str]
    groups: dict[str, list[int]]
    logged: dict[str, bool]
    levels: dict[str, list[str]]
    notes: dict[str, str]
    rows: dict[str, np.ndarray] = field(default_factory=dict)


def build_design(data: TrialData) -> Design:
    """The design of ``data``'s used trials."""
    used = data.used
    columns: list[np.ndarray] = []
    terms: list[str] = []
    groups: dict[str, list[int]] = {}
    logged: dict[str, bool] = {}
    levels: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    rows = {name: data.applies(name) for name in data.conditions}
    for name in data.numerical:
        inside = rows.get(name, np.ones(len(used), dtype=bool))
        values = used[name].to_numpy(dtype=float)[inside]
        logged[name] = bool(data.log.get(name)) and len(values) > 0 and bool((values > 0).all())
        if len(np.unique(values)) < 2:
            notes[name] = _one(data, name, "value", len(values))
            continue
        groups[name] = [len(columns)]
        scaled = np.log10(values) if logged[name] else values
        column = np.zeros(len(used))
        column[inside] = scaled - scaled.mean() if name in rows else scaled
        columns.append(column)
        terms.append(name)
    for name in data.categorical:
        inside = rows.get(name, np.ones(len(used), dtype=bool))
        text = cast(np.ndarray, np.where(inside, used[name].astype(str).to_numpy(), None))
        levels[name] = _level_order(text[inside], data.categories.get(name, []))
        if len(levels[name]) < 2:
            notes[name] = _one(data, name, "level", int(inside.sum()))
            continue
        groups[name] = []
        for level in levels[name][1:]:
            groups[name].append(len(columns))
            columns.append((text == level).astype(float))
            terms.append(level)
    n = len(used)
    x = np.column_stack(columns) if columns else np.empty((n, 0))
    return Design(x, used["value"].to_numpy(dtype=float), terms, groups, logged, levels, notes,
                  rows)


def within(data: TrialData, name: str) -> str:
    """Where a nested attribute applies, in words ("optimizer_config is adam"); "" at the top
    level."""
    condition = data.conditions.get(name)
    if condition is None:
        return ""
    label = short_names(data.attributes)[condition.parent]
    outer = within(data, condition.parent)
    return f"{label} is {' or '.join(condition.branches)}" + (f" and {outer}" if outer else "")


def _one(data: TrialData, name: str, what: str, n: int) -> str:
    """The note of an attribute that cannot be estimated (one value, or no used trial)."""
    where = within(data, name)
    if where and n == 0:
        return f"no used trial where {where}: not estimable"
    return f"takes one {what} in the used trials{f' where {where}' if where else ''}: " \
           "not estimable"


def conclusion(low: float, high: float) -> str:
    """"+" when a CI lies above zero, "-" below, "none" when it spans zero (or is unknown)."""
    if low > 0:
        return "+"
    if high < 0:
        return "-"
    return "none"


def _level_order(text: np.ndarray, declared: list[str]) -> list[str]:
    """The sampled levels: declared ones first in declared order, then the rest sorted."""
    present = set(pd.unique(text))
    first = [level for level in declared if level in present]
    return first + sorted(present - set(first))
