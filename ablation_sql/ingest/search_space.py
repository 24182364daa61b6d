"""The declared search space and metric directions of an experiment's master config."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .flatten import to_json

__all__ = ["SearchSpaceRow", "declares_search_space", "optim_metrics", "search_space_rows",
           "subspace_attributes"]

_INT32 = range(-(2**31), 2**31)  # search_space.n_bins is an INTEGER
_SPEC_KEYS = {"value_range", "categorical_values", "subspaces", "sub_configuration"}


@dataclass(frozen=True)
class SearchSpaceRow:
    """One attribute of the search space, as stored in the search_space table."""

    name: str
    kind: str
    value_type: str | None
    low: float | None
    high: float | None
    log: bool
    categories: str | None
    n_bins: int | None
    parent: str | None
    spec: str


def search_space_rows(config: Mapping[str, Any], problems: list[str] | None = None
                      ) -> list[SearchSpaceRow]:
    """Every attribute declared under ``search_space``, nested subspace attributes included.

    What is left out, and why, is appended to ``problems``.
    """
    problems = [] if problems is None else problems
    space = _mapping(config, "search_space", "attributes: no search space stored", problems)
    rows: dict[str, SearchSpaceRow] = {}
    for name, spec in space.items():
        if not isinstance(spec, Mapping):
            problems.append(f"search_space.{name} is {_a(spec)}, not a mapping: left out")
            continue
        found = list(_rows(str(name), spec, None, problems))
        if not found:
            problems.append(f"search_space.{name} declares no value_range, categorical_values "
                            "or subspaces: left out")
        for row in found:
            rows.setdefault(row.name, row)
    return list(rows.values())


def subspace_attributes(config: Mapping[str, Any]) -> frozenset[str]:
    """Names of the attributes whose value in a trial is a whole mapping."""
    return frozenset(row.name for row in search_space_rows(config) if row.kind == "subspace")


def optim_metrics(config: Mapping[str, Any], problems: list[str] | None = None
                  ) -> list[tuple[str, str]]:
    """(metric, direction) pairs; directions normalised to ``min``/``max``.

    What is left out, and why, is appended to ``problems``.
    """
    problems = [] if problems is None else problems
    metrics = _mapping(config, "optim_metrics",
                       "metric to min or max: no metric directions stored", problems)
    pairs = []
    for metric, direction in metrics.items():
        word = str(direction).lower().removeprefix("optim.")
        if word in {"min", "max"}:
            pairs.append((str(metric), word))
        else:
            problems.append(f"optim_metrics.{metric}: direction {str(direction)[:80]!r} is "
                            "neither min nor max: left out")
    return pairs


def _mapping(config: Mapping[str, Any], key: str, of: str, problems: list[str]
             ) -> Mapping[Any, Any]:
    """``config[key]`` if it is a mapping; else nothing, and a problem unless it is absent."""
    section = config.get(key)
    if isinstance(section, Mapping):
        return section
    if section is not None:
        problems.append(f"{key} is {_a(section)}, not a mapping of {of}")
    return {}


def _rows(name: str, spec: Mapping[str, Any], parent: str | None, problems: list[str]
          ) -> Iterator[SearchSpaceRow]:
    subspaces = spec.get("subspaces")
    categories = spec.get("categorical_values")
    value_range = spec.get("value_range")
    log = bool(spec.get("log") or False)
    n_bins = spec.get("n_bins")
    if n_bins is not None and (type(n_bins) is not int or n_bins not in _INT32):
        problems.append(f"search_space.{name}.n_bins {str(n_bins)[:80]!r} is not a 32-bit "
                        "integer: stored as NULL")
        n_bins = None
    value_type = spec.get("value_type") if isinstance(spec.get("value_type"), str) else None
    if subspaces:
        yield SearchSpaceRow(name, "subspace", value_type, None, None, log,
                             to_json(subspaces), n_bins, parent, to_json(spec))
        for sub in subspaces if isinstance(subspaces, list) else []:
            if isinstance(sub, Mapping):
                config = sub.get("sub_configuration")
                if isinstance(config, Mapping):
                    yield from _nested(name, config, name, problems)
    elif categories is not None:
        yield SearchSpaceRow(name, "categorical", value_type, None, None, log,
                             to_json(categories), n_bins, parent, to_json(spec))
    elif isinstance(value_range, list | tuple):
        low, high = (_number(v) for v in (list(value_range) + [None, None])[:2])
        if len(value_range) != 2 or low is None or high is None:
            problems.append(f"search_space.{name}.value_range is not two numbers: "
                            "its bounds are stored as NULL")
        yield SearchSpaceRow(name, "numerical", value_type, low, high, log,
                             None, n_bins, parent, to_json(spec))


def _nested(prefix: str, config: Mapping[str, Any], parent: str, problems: list[str]
            ) -> Iterator[SearchSpaceRow]:
    """Search spaces declared inside a sub_configuration (e.g. ``arguments.lr``)."""
    for key, value in config.items():
        if not isinstance(value, Mapping):
            continue
        name = f"{prefix}.{key}"
        if declares_search_space(value):
            yield from _rows(name, value, parent, problems)
        else:
            yield from _nested(name, value, parent, problems)


def declares_search_space(value: Any) -> bool:
    """Whether a value inside a sub_configuration is a search space of its own."""
    return isinstance(value, Mapping) and any(value.get(k) is not None for k in _SPEC_KEYS)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return None if math.isnan(number) else number


def _a(value: Any) -> str:
    """'a list', 'an int', ...: the kind of a value, for a sentence."""
    kind = type(value).__name__
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
