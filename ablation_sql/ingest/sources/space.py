"""A search space inferred from the values trials saw, for sources that store none (MLflow,
Ray Tune): numerical when every value parses as a number (on a log scale when its positive
values span two decades or more), otherwise categorical."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..flatten import to_json
from ..search_space import SearchSpaceRow

__all__ = ["INFERRED", "infer", "number", "numeric_names", "typed"]

INFERRED = "inferred from the values seen"
# A numerical parameter whose positive values span this factor or more (two decades) is taken
# to be searched on a log scale, as learning rates and weight decays are.
LOG_SPAN = 100.0
_SPEC = to_json({"inferred": INFERRED, "log_scale_from_span": LOG_SPAN})
_INTEGER = re.compile(r"[+-]?\d{1,18}")


def number(text: str) -> int | float | None:
    """The number a parameter's text spells (an int when it is one), or None."""
    text = text.strip()
    if _INTEGER.fullmatch(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def numeric_names(values: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The parameters whose every value (over every trial's mapping) is or spells a number."""
    numeric: dict[str, bool] = {}
    for params in values:
        for name, value in params.items():
            ok = type(value) in (int, float) or (isinstance(value, str)
                                                 and number(value) is not None)
            numeric[name] = numeric.get(name, True) and ok
    return frozenset(name for name, ok in numeric.items() if ok)


def typed(params: Mapping[str, Any], numeric: frozenset[str]) -> dict[str, Any]:
    """A trial's parameters: numbers for the ``numeric`` ones, the rest as written."""
    return {name: number(v) if name in numeric and isinstance(v, str) else v
            for name, v in params.items()}


def infer(values: Iterable[Mapping[str, Any]], numeric: frozenset[str]
          ) -> list[SearchSpaceRow]:
    """One row per parameter seen in any trial's mapping of parameters."""
    seen: dict[str, list[Any]] = {}
    for params in values:
        for name, value in typed(params, numeric).items():
            seen.setdefault(name, []).append(value)
    rows = []
    for name, found in seen.items():
        if name in numeric:
            kind = "int" if all(type(v) is int for v in found) else "float"
            low, high = float(min(found)), float(max(found))
            log = low > 0 and high / low >= LOG_SPAN
            rows.append(SearchSpaceRow(name, "numerical", kind, low, high, log, None, None,
                                       None, _SPEC))
        else:
            choices = sorted({to_json(v) for v in found})
            rows.append(SearchSpaceRow(name, "categorical", None, None, None, False,
                                       "[" + ",".join(choices) + "]", None, None, _SPEC))
    return rows
