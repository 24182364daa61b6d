"""Flattening nested configs into dotted keys, and typing values for the params table."""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping
from json.encoder import encode_basestring_ascii as _json_string
from typing import Any

__all__ = ["flatten", "param_row", "to_json"]


def flatten(
    config: Mapping[str, Any], keep_whole: frozenset[str] = frozenset(), prefix: str = ""
) -> Iterator[tuple[str, Any]]:
    """Yield (dotted name, value) for every leaf; lists are leaves.

    Names in ``keep_whole`` (subspace attributes) are yielded as a whole mapping too,
    before their leaves. An empty mapping is a leaf.
    """
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            if name in keep_whole:
                yield name, value
            yield from flatten(value, keep_whole, f"{name}.")
        else:
            yield name, value


def param_row(value: Any) -> tuple[str, float | None, str | None, str]:
    """Return (value as JSON, value_double, value_text, value_type) for one config value."""
    kind = type(value)
    if kind is str:
        return _json_string(value), None, value, "str"
    if kind is int:
        return _int_json(value), _as_double(value), None, "int"
    if kind is float and math.isfinite(value):
        return repr(value), value, None, "float"
    if isinstance(value, bool):
        return to_json(value), None, None, "bool"
    if isinstance(value, int):
        return to_json(value), _as_double(value), None, "int"
    if isinstance(value, float):
        return to_json(value), None if math.isnan(value) else value, None, "float"
    if isinstance(value, str):
        return to_json(value), None, value, "str"
    if value is None:
        return "null", None, None, "null"
    if isinstance(value, Mapping):
        return to_json(value), None, None, "map"
    if isinstance(value, list | tuple):
        return to_json(value), None, None, "list"
    text = _plain(value)
    return to_json(text), None, text, "str"


def to_json(value: Any) -> str:
    """Serialise to strict JSON: NaN and infinities become null, YAML dates become strings."""
    try:
        return json.dumps(value, allow_nan=False, separators=(",", ":"))
    except (ValueError, TypeError):
        return json.dumps(_sanitise(value), allow_nan=False, separators=(",", ":"))


def _sanitise(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _sanitise(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_sanitise(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return json.loads(_int_json(value))
    if value is None or isinstance(value, bool | str):
        return value
    return _plain(value)


def _int_json(value: int) -> str:
    """An int as JSON; one too long for Python to write in decimal becomes a hex string."""
    try:
        return str(value)
    except ValueError:
        return _json_string(hex(value))


def _plain(value: Any) -> str:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


def _as_double(value: int) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
