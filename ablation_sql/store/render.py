"""Query results as Rows and as text: table, csv, json or markdown.

Text renderings (``render``) for the CLI and ``Effects.render``:

- ``table``: aligned columns for people (floats to 6 significant digits, NULL as ``NULL``),
  then ``(n rows)``;
- ``csv``: RFC 4180 with a header; NULL is an empty field, floats in full (shortest repr),
  booleans ``true``/``false``;
- ``json``: an array of objects; floats in full, NULL and NaN as ``null``, ±inf as the strings
  ``"Infinity"``/``"-Infinity"`` (strict JSON has no infinities), JSON columns embedded as
  JSON, timestamps as ISO 8601 strings;
- ``markdown``: a GitHub pipe table (numbers right-aligned, ``|`` escaped), floats as in
  ``table``.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import decimal
import io
import json
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from .choices import FORMATS
from .fetch import _base_type
from .values import json_scalar

__all__ = ["FORMATS", "Rows", "render", "rows_of"]


@dataclass(frozen=True)
class Rows:
    """A result as column names, DuckDB type names and rows of Python values."""

    columns: list[str]
    types: list[str]
    rows: list[tuple]




def rows_of(con: duckdb.DuckDBPyConnection) -> Rows:
    """The result of the statement just executed on ``con`` as Rows (read to the end)."""
    description = con.description or []
    rows = con.fetchall()
    return Rows([d[0] for d in description], [str(d[1]) for d in description], rows)


def render(result: Rows, fmt: str) -> str:
    """``result`` as text in ``fmt`` (table, csv, json or markdown), ending with a newline."""
    if fmt == "table":
        return _table(result)
    if fmt == "csv":
        return _csv(result)
    if fmt == "json":
        return _json(result)
    if fmt == "markdown":
        return _markdown(result)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")




# --- value rendering ------------------------------------------------------------------------

def _human(value: Any) -> str:
    """A value for people (table, markdown)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value, short=True)
    if isinstance(value, decimal.Decimal):
        return _float(float(value), short=True)
    text = _text(value)
    return text.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t")


def _float(value: float, *, short: bool) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if short:
        return format(value, ".6g")
    return repr(value)


def _text(value: Any) -> str:
    """A non-null value as text, floats in full (csv)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _float(value, short=False)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple | dict):
        return json.dumps(_jsonable(value, None), ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _jsonable(value: Any, duck_type: str | None) -> Any:
    """A value as a strict-JSON structure."""
    if value is None:
        return None
    if duck_type == "JSON" and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return json_scalar(value)
    if isinstance(value, decimal.Decimal):
        return _jsonable(float(value), None)
    if isinstance(value, dict):
        return {str(k): _jsonable(v, None) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, None) for v in value]
    if isinstance(value, uuid.UUID | dt.timedelta):
        return str(value)
    return _text(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


def _right_aligned(result: Rows) -> list[bool]:
    aligned = []
    for i in range(len(result.columns)):
        values = [row[i] for row in result.rows if row[i] is not None]
        aligned.append(bool(values) and all(_is_number(v) for v in values))
    return aligned


# --- formats --------------------------------------------------------------------------------

def _table(result: Rows) -> str:
    header = [_human(c) for c in result.columns]
    body = [[_human(v) for v in row] for row in result.rows]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    right = _right_aligned(result)

    def line(cells: Sequence[str], align: Sequence[bool]) -> str:
        return " | ".join(c.rjust(w) if r else c.ljust(w)
                          for c, w, r in zip(cells, widths, align, strict=True)).rstrip()

    lines = [line(header, [False] * len(header)), "-+-".join("-" * w for w in widths)]
    lines += [line(r, right) for r in body]
    n = len(result.rows)
    lines.append(f"({n} row{'s' * (n != 1)})")
    return "\n".join(lines) + "\n"


def _csv(result: Rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if v is None else _text(v) for v in row])
    return out.getvalue()


def _json(result: Rows) -> str:
    types = [_base_type(t) for t in result.types]
    records = [
        {c: _jsonable(v, t) for c, v, t in zip(result.columns, row, types, strict=True)}
        for row in result.rows
    ]
    if not records:
        return "[]\n"
    lines = [json.dumps(r, ensure_ascii=False, allow_nan=False) for r in records]
    return "[\n" + ",\n".join(lines) + "\n]\n"


def _markdown(result: Rows) -> str:
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|")

    header = [cell(_human(c)) for c in result.columns]
    body = [[cell(_human(v)) for v in row] for row in result.rows]
    widths = [max([len(h), 3] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    right = _right_aligned(result)
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
             "| " + " | ".join(("-" * (w - 1) + ":") if r else "-" * w
                              for w, r in zip(widths, right, strict=True)) + " |"]
    lines += ["| " + " | ".join(c.rjust(w) if r else c.ljust(w)
                                for c, w, r in zip(row, widths, right, strict=True)) + " |"
              for row in body]
    return "\n".join(lines) + "\n"
