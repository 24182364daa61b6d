"""ABLATOR's own way of flattening a config, reproduced to compare against (tests, benchmarks)."""

from __future__ import annotations

from typing import Any

__all__ = ["ablator_flatten"]


def _level_wise(flat: dict) -> dict:
    """ABLATOR's flatten_nested_dict: expand mappings and lists, appending their items at the
    end, pass after pass."""
    while any(isinstance(v, dict | list) for v in flat.values()):
        plain = {k: v for k, v in flat.items() if not isinstance(v, dict | list)}
        for key, value in flat.items():
            if isinstance(value, dict | list):
                items = value.items() if isinstance(value, dict) else enumerate(value)
                plain.update({f"{key}.{k}": v for k, v in items})
        flat = plain
    return flat


def ablator_flatten(value: Any) -> Any:
    """``make_dict(flatten=True)`` where every mapping is a config class (flattened first)."""
    if isinstance(value, dict):
        return _level_wise({k: ablator_flatten(v) for k, v in value.items()})
    if isinstance(value, list):
        return [ablator_flatten(v) for v in value]
    return value
