"""Values as strict JSON: the one conversion of NaN and infinities used by every JSON output."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["json_scalar"]


def json_scalar(value: Any) -> Any:
    """A JSON-ready scalar: numpy scalars to Python, None/NA/NaN to None, ±inf to the strings
    ``"Infinity"``/``"-Infinity"`` (strict JSON has no infinities); the rest as is."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return value
