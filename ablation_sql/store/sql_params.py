"""The parameters of a SQL file: a ``-- param <name>: <type> [bounds] [= default] [-- help]``
header line parsed (``parse_param``), and a value converted to its declared type and checked
against its bounds (``convert``, ``QueryParam.check``); errors name ``file:line``. A ``str[]``
value is a list of strings: given as text (the command line, a default), its items are
separated by commas, or, when the text starts with ``[``, it is a JSON list of strings (for
items that hold a comma)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import QueryError

__all__ = ["IDENTIFIER", "INT_RANGE", "TYPES", "QueryParam", "convert", "parse_param"]

TYPES = ("str", "int", "float", "bool", "str[]")  # those a value from the command line converts to
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAM_LINE = re.compile(
    r"--\s*param\s+(?P<name>[^\s:]+)\s*:\s*(?P<type>[^\s=]+)\s*(?P<rest>.*)$")
_BOUND = re.compile(r"(?P<op>>=|<=|>|<)\s*(?P<value>[^\s=<>]+)\s*")
_HOLDS = {">=": lambda v, b: v >= b, ">": lambda v, b: v > b,
          "<=": lambda v, b: v <= b, "<": lambda v, b: v < b}
INT_RANGE = (-2**63, 2**63 - 1)  # BIGINT, the type an int parameter is bound as
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter; ``required`` when the header gives no default."""

    name: str
    type: str
    default: Any = None
    required: bool = False
    help: str = ""
    line: int = 0
    bounds: tuple[tuple[str, int | float], ...] = ()  # (">=", 1), ("<", 10), ...

    def describe(self) -> str:
        """``name: type [bounds] = default`` as in the header."""
        declared = " ".join([f"{self.name}: {self.type}",
                             *(f"{op} {_show(value)}" for op, value in self.bounds)])
        return declared if self.required else f"{declared} = {_show(self.default)}"

    def check(self, value: Any, label: str, where: str = "") -> Any:
        """``value`` (already converted) if it meets the declared bounds (NULL always does);
        else a QueryError starting with ``label``, ending with ``where`` it was declared."""
        for op, bound in self.bounds:
            if value is not None and not _HOLDS[op](value, bound):
                raise QueryError(f"{label}: {self.name} must be {op} {_show(bound)}, got "
                                 f"{_show(value)}" + (f" (declared at {where})" if where else ""))
        return value


def convert(value: Any, type_: str, label: str = "value") -> Any:
    """``value`` as the declared type (str, int, float, bool, str[]); None stays None (SQL
    NULL).

    Strings are parsed (``"10"`` -> 10, ``"true"`` -> True, ``"a, b"`` -> ``["a", "b"]`` for a
    ``str[]``), as the CLI passes them.
    """
    if value is None:
        return None
    if type_ == "str[]":
        return _strings(value, label)
    try:
        if type_ == "str":
            return value if isinstance(value, str) else str(value)
        if type_ == "int":
            if isinstance(value, bool):
                raise ValueError
            if isinstance(value, float):
                if not value.is_integer():
                    raise ValueError
                return int(value)
            number = int(value.strip()) if isinstance(value, str) else int(value)
            if not INT_RANGE[0] <= number <= INT_RANGE[1]:
                raise QueryError(f"{label}: {value!r} is out of range for an int (from "
                                 f"{INT_RANGE[0]} to {INT_RANGE[1]})")
            return number
        if type_ == "float":
            if isinstance(value, bool):
                raise ValueError
            return float(value.strip()) if isinstance(value, str) else float(value)
        if type_ == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, int) and value in (0, 1):
                return bool(value)
            if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
                return value.strip().lower() in _TRUE
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        pass
    raise QueryError(f"{label}: expected {_article(type_)} {type_}, got {value!r}")


def _strings(value: Any, label: str) -> list[str]:
    """A ``str[]`` value: text split at commas (each item trimmed) or, starting with ``[``, a
    JSON list of strings; or a list or tuple of strings; no item empty or NULL."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            raise QueryError(f"{label}: expected a str[]: text starting with '[' is a JSON list "
                             f"of strings, got {value!r}") from None
        if not isinstance(value, list):
            raise QueryError(f"{label}: expected a str[] as a JSON list, got {value!r}")
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",")]
    elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        items = list(value)
    else:
        raise QueryError(f"{label}: expected a str[] (a list of strings, or text separated by "
                         f"commas), got {value!r}")
    if not items or not all(items):
        raise QueryError(f"{label}: expected a str[] without an empty item, got {value!r}")
    return items


def parse_param(line: str, path: str, number: int, types: Sequence[str]) -> QueryParam:
    """The declaration on header line ``number`` of ``path``, its type one of ``types``."""
    match = _PARAM_LINE.fullmatch(line)
    if not match:
        raise QueryError(f"{path}:{number}: expected '-- param <name>: <type> [= <default>] "
                         f"[-- <help>]'")
    name, type_, rest = match["name"], match["type"], match["rest"].strip()
    if not IDENTIFIER.fullmatch(name):
        raise QueryError(f"{path}:{number}: parameter name {name!r} is not an identifier")
    if type_ not in types:
        raise QueryError(f"{path}:{number}: unknown type {type_!r} (use {', '.join(types)})")
    bounds, rest = _parse_bounds(rest, type_, f"{path}:{number}")
    help_text = ""
    default: Any = None
    required = True
    if rest.startswith("="):
        required = False
        raw, rest = _split_default(rest[1:].strip(), path, number)
        if raw is None:
            default = None
        else:
            default = convert(raw, type_, f"{path}:{number}: default of {name}")
    if rest:
        if not rest.startswith("--"):
            raise QueryError(f"{path}:{number}: unexpected {rest!r} (help text follows '--')")
        help_text = rest[2:].strip()
    param = QueryParam(name, type_, default, required, help_text, number, bounds)
    param.check(default, f"{path}:{number}: the default")
    return param


def _parse_bounds(rest: str, type_: str, where: str
                  ) -> tuple[tuple[tuple[str, int | float], ...], str]:
    """The bounds at the start of ``rest`` (``>= 1``, ``< 10``: at most one lower and one
    upper, numbers of the parameter's type) and what follows them."""
    bounds: list[tuple[str, int | float]] = []
    while match := _BOUND.match(rest):
        if type_ not in ("int", "float"):
            raise QueryError(f"{where}: only int and float parameters take bounds")
        op = match["op"]
        value = convert(match["value"], type_, f"{where}: bound {op}")
        if value != value or value in (float("inf"), float("-inf")):
            raise QueryError(f"{where}: bound {op} {match['value']} is not a finite number")
        if any(other[0] == op[0] for other, _ in bounds):
            raise QueryError(f"{where}: two {'lower' if op[0] == '>' else 'upper'} bounds")
        bounds.append((op, value))
        rest = rest[match.end():]
    if len(bounds) == 2:
        (low_op, low), (high_op, high) = sorted(bounds, key=lambda b: b[0][0] == "<")
        if low > high or (low == high and (low_op, high_op) != (">=", "<=")):
            raise QueryError(f"{where}: no value is {low_op} {_show(low)} and "
                             f"{high_op} {_show(high)}")
    return tuple(bounds), rest


def _split_default(text: str, path: str, number: int) -> tuple[str | None, str]:
    """(default, the rest of the line): a 'quoted' default may hold spaces and ``--``;
    an unquoted one ends at ``--`` or the end; ``NULL`` is None."""
    if text.startswith("'"):
        i, value = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1:i + 2] == "'":
                    value.append("'")
                    i += 2
                    continue
                return "".join(value), text[i + 1:].strip()
            value.append(text[i])
            i += 1
        raise QueryError(f"{path}:{number}: unterminated quoted default")
    raw, sep, rest = text.partition("--")
    raw = raw.strip()
    if not raw:
        raise QueryError(f"{path}:{number}: '=' without a default (write NULL for none)")
    return (None if raw == "NULL" else raw), (sep + rest).strip()


def _show(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def _article(type_: str) -> str:
    return "an" if type_ == "int" else "a"
