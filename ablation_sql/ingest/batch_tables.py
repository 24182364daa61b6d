"""Turning parsed column lists into Arrow tables, typed as the database tables expect."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

__all__ = ["to_arrow"]

_ARROW = {"str": pa.string(), "int": pa.int32(), "bool": pa.bool_()}


def to_arrow(columns: dict[str, list], kinds: dict[str, str] | None = None) -> pa.Table:
    """An Arrow table of ``columns``; ``kinds`` gives str/int/float/bool (default str).

    Float columns take ints, floats and None; NaN and None become NULL, infinities stay.
    """
    kinds = kinds or {}
    return pa.table({
        name: _floats(values) if kinds.get(name) == "float"
        else pa.array(values, type=_ARROW[kinds.get(name, "str")])
        for name, values in columns.items()
    })


def _floats(values: list) -> pa.Array:
    try:
        array = np.array(values, dtype=np.float64)
    except OverflowError:  # an integer beyond the range of a double
        array = np.array([_clip(v) for v in values], dtype=np.float64)
    return pa.array(array, from_pandas=True)


def _clip(value: object) -> object:
    if type(value) is int and abs(value) > 2**1000:
        return math.inf if value > 0 else -math.inf
    return value
