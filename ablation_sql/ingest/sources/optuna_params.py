"""Optuna parameters: a stored float and its ``distribution_json`` into the value the trial
saw, and the distributions of a study into search-space rows."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any

from ..flatten import to_json
from ..search_space import SearchSpaceRow

__all__ = ["ParamProblem", "decode", "search_space"]

_INT = {"IntDistribution", "IntUniformDistribution", "IntLogUniformDistribution"}
_FLOAT = {"FloatDistribution", "UniformDistribution", "LogUniformDistribution",
          "DiscreteUniformDistribution"}
_LOG = {"LogUniformDistribution", "IntLogUniformDistribution"}


class ParamProblem(ValueError):
    """A parameter whose stored value or distribution cannot be decoded."""


def _distribution(text: Any) -> tuple[str, dict[str, Any]]:
    try:
        data = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise ParamProblem("distribution_json is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict):
        raise ParamProblem("distribution_json has no name and attributes")
    name = data.get("name")
    if name not in _INT | _FLOAT | {"CategoricalDistribution"}:
        raise ParamProblem(f"unknown distribution {str(name)[:60]!r}")
    return name, data["attributes"]


def decode(value: Any, distribution_json: Any) -> Any:
    """The parameter's value: a categorical index becomes its choice, an int stays an int."""
    name, attributes = _distribution(distribution_json)
    if type(value) not in (int, float) or not math.isfinite(value):
        raise ParamProblem(f"stored value {str(value)[:40]!r} is not a finite number")
    if name == "CategoricalDistribution":
        choices = attributes.get("choices")
        if not isinstance(choices, list) or value != int(value) \
                or not 0 <= int(value) < len(choices):
            raise ParamProblem(f"index {value!r} is not one of the distribution's choices")
        return choices[int(value)]
    if name in _INT:
        if value != int(value):
            raise ParamProblem(f"{value!r} is not an integer")
        return int(value)
    return float(value)


def search_space(distributions: Iterable[tuple[str, str]], problems: list[str]
                 ) -> list[SearchSpaceRow]:
    """One row per parameter over (name, distribution_json) pairs: the union of the ranges
    (or of the choices) when trials saw different distributions of one name."""
    rows: dict[str, SearchSpaceRow] = {}
    for name, text in distributions:
        try:
            kind, attributes = _distribution(text)
        except ParamProblem as exc:
            problems.append(f"parameter {name}: {exc}: left out of the search space")
            continue
        row = _row(name, kind, attributes, text)
        rows[name] = _union(rows[name], row) if name in rows else row
    return list(rows.values())


def _row(name: str, kind: str, attributes: dict[str, Any], text: str) -> SearchSpaceRow:
    if kind == "CategoricalDistribution":
        choices = attributes.get("choices")
        return SearchSpaceRow(name, "categorical", None, None, None, False,
                              to_json(choices if isinstance(choices, list) else []),
                              None, None, text)
    log = bool(attributes.get("log")) or kind in _LOG
    return SearchSpaceRow(name, "numerical", "int" if kind in _INT else "float",
                          _number(attributes.get("low")), _number(attributes.get("high")),
                          log, None, None, None, text)


def _union(old: SearchSpaceRow, new: SearchSpaceRow) -> SearchSpaceRow:
    if old.kind != new.kind:
        return old
    if old.kind == "categorical":
        choices = json.loads(old.categories or "[]")
        choices += [c for c in json.loads(new.categories or "[]") if c not in choices]
        return SearchSpaceRow(old.name, old.kind, None, None, None, False, to_json(choices),
                              None, None, old.spec)
    lows = [v for v in (old.low, new.low) if v is not None]
    highs = [v for v in (old.high, new.high) if v is not None]
    return SearchSpaceRow(old.name, old.kind, old.value_type, min(lows, default=None),
                          max(highs, default=None), old.log, None, None, None, old.spec)


def _number(value: Any) -> float | None:
    if type(value) not in (int, float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None
