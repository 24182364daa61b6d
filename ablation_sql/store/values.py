"""Values as strict JSON: the one conversion of NaN and infinities used by every JSON output."""

from __future__ import annotations

import math
import sys
from typing import Any

__all__ = ["json_scalar"]


def json_scalar(value: Any) -> Any:
    """A JSON-ready scalar: numpy scalars to Python, None/NA/NaN to None, ±inf to the strings
    ``"Infinity"``/``"-Infinity"`` (strict JSON has no infinities); the rest as is."""
    # a value can be pandas' NA or a numpy scalar only once that library is loaded
    pandas, numpy = sys.modules.get("pandas"), sys.modules.get("numpy")
    if value is None or (pandas is not None and value is pandas.NA):
        return None
    if numpy is not None and isinstance(value, numpy.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value
