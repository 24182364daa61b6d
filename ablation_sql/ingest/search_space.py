"""The declared search space and metric directions of an experiment's master config."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .flatten import to_json

__all__ = ["SearchSpaceRow", "declares_search_space", "optim_metrics", "search_space_rows",
           "subspace_attributes"]

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


def search_space_rows(config: Mapping[str, Any]) -> list[SearchSpaceRow]:
    """Every attribute declared under ``search_space``, nested subspace attributes included."""
    space = config.get("search_space")
    if not isinstance(space, Mapping):
        return []
    rows: dict[str, SearchSpaceRow] = {}
    for name, spec in space.items():
        if isinstance(spec, Mapping):
            for row in _rows(str(name), spec, None):
                rows.setdefault(row.name, row)
    return list(rows.values())


def subspace_attributes(config: Mapping[str, Any]) -> frozenset[str]:
    """Names of the attributes whose value in a trial is a whole mapping."""
    return frozenset(row.name for row in search_space_rows(config) if row.kind == "subspace")


def optim_metrics(config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(metric, direction) pairs; directions normalised to ``min``/``max``."""
    metrics = config.get("optim_metrics")
    if not isinstance(metrics, Mapping):
        return []
    pairs = []
    for metric, direction in metrics.items():
        word = str(direction).lower().removeprefix("optim.")
        if word in {"min", "max"}:
            pairs.append((str(metric), word))
    return pairs


def _rows(name: str, spec: Mapping[str, Any], parent: str | None) -> Iterator[SearchSpaceRow]:
    subspaces = spec.get("subspaces")
    categories = spec.get("categorical_values")
    value_range = spec.get("value_range")
    log = bool(spec.get("log") or False)
    n_bins = spec.get("n_bins") if isinstance(spec.get("n_bins"), int) else None
    value_type = spec.get("value_type") if isinstance(spec.get("value_type"), str) else None
    if subspaces:
        yield SearchSpaceRow(name, "subspace", value_type, None, None, log,
                             to_json(subspaces), n_bins, parent, to_json(spec))
        for sub in subspaces if isinstance(subspaces, list) else []:
            if isinstance(sub, Mapping):
                config = sub.get("sub_configuration")
                if isinstance(config, Mapping):
                    yield from _nested(name, config, name)
    elif categories is not None:
        yield SearchSpaceRow(name, "categorical", value_type, None, None, log,
                             to_json(categories), n_bins, parent, to_json(spec))
    elif isinstance(value_range, list | tuple):
        low, high = (_number(v) for v in (list(value_range) + [None, None])[:2])
        yield SearchSpaceRow(name, "numerical", value_type, low, high, log,
                             None, n_bins, parent, to_json(spec))


def _nested(prefix: str, config: Mapping[str, Any], parent: str) -> Iterator[SearchSpaceRow]:
    """Search spaces declared inside a sub_configuration (e.g. ``arguments.lr``)."""
    for key, value in config.items():
        if not isinstance(value, Mapping):
            continue
        name = f"{prefix}.{key}"
        if declares_search_space(value):
            yield from _rows(name, value, parent)
        else:
            yield from _nested(name, value, parent)


def declares_search_space(value: Any) -> bool:
    """Whether a value inside a sub_configuration is a search space of its own."""
    return isinstance(value, Mapping) and any(value.get(k) is not None for k in _SPEC_KEYS)


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
