"""The regression design shared by the analyses: transformed numbers and one-hot levels.

Numerical attributes enter as their value, or as log10 of it when the search space declares
``log: true`` and every used value is positive (a slope is then per 10× increase).
Categorical attributes enter as one indicator per level except the reference level (treatment
coding), the reference being the first declared level that was sampled. An attribute that
takes a single value among the used trials has no columns (it cannot be estimated) and gets a
note.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import TrialData

__all__ = ["Design", "build_design", "conclusion"]


@dataclass(frozen=True)
class Design:
    """``x`` (n × p, no intercept column) and ``y`` of the used trials.

    ``terms[j]`` names column j (the attribute for numbers, the level for categorical
    indicators); ``groups`` maps each estimable attribute to its columns; ``logged`` says which
    numerical attributes are on the log10 scale; ``levels`` gives each categorical attribute's
    sampled levels, reference first; ``notes`` explain attributes left out of the design.
    """

    x: np.ndarray
    y: np.ndarray
    terms: list[str]
    groups: dict[str, list[int]]
    logged: dict[str, bool]
    levels: dict[str, list[str]]
    notes: dict[str, str]


def build_design(data: TrialData) -> Design:
    """The design of ``data``'s used trials."""
    used = data.used
    columns: list[np.ndarray] = []
    terms: list[str] = []
    groups: dict[str, list[int]] = {}
    logged: dict[str, bool] = {}
    levels: dict[str, list[str]] = {}
    notes: dict[str, str] = {}
    for name in data.numerical:
        values = used[name].to_numpy(dtype=float)
        logged[name] = bool(data.log.get(name)) and len(values) > 0 and bool((values > 0).all())
        if len(np.unique(values)) < 2:
            notes[name] = "takes one value in the used trials: not estimable"
            continue
        groups[name] = [len(columns)]
        columns.append(np.log10(values) if logged[name] else values)
        terms.append(name)
    for name in data.categorical:
        text = used[name].astype(str).to_numpy()
        levels[name] = _level_order(text, data.categories.get(name, []))
        if len(levels[name]) < 2:
            notes[name] = "takes one level in the used trials: not estimable"
            continue
        groups[name] = []
        for level in levels[name][1:]:
            groups[name].append(len(columns))
            columns.append((text == level).astype(float))
            terms.append(level)
    n = len(used)
    x = np.column_stack(columns) if columns else np.empty((n, 0))
    return Design(x, used["value"].to_numpy(dtype=float), terms, groups, logged, levels, notes)


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
