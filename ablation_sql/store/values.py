"""Values as strict JSON: the one conversion of NaN and infinities used by every JSON output."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np

__all__ = ["json_scalar"]


def json_scalar(value: Any) -> Any:
    """A JSON-ready scalar: numpy scalars to Python, None/NA/NaN to None, ±inf to the strings
    ``"Infinity"``/``"-Infinity"`` (strict JSON has no infinities); the rest as is."""
    pandas = sys.modules.get("pandas")  # a value is pandas' NA only once pandas is loaded
    if value is None or (pandas is not None and value is pandas.NA):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value
