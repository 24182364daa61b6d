"""Tolerant reading of ABLATOR's results.json: keep every complete object of a cut-off file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .huge_ints import huge_int_note, json_decoder

__all__ = ["ResultsFile", "parse_results"]

_decoder = json_decoder()  # for the rare file that fails: keeps over-long integers as text
_WHITESPACE = " \t\n\r"


@dataclass(frozen=True)
class ResultsFile:
    """The rows read from one results.json and what, if anything, was wrong with it."""

    rows: list[dict[str, Any]]
    complete: bool
    truncated: bool = False
    problem: str | None = None


def parse_results(text: str) -> ResultsFile:
    """Parse results.json text (a JSON array of objects, NaN/Infinity allowed).

    Integers too long to convert are kept as text (in metrics_other), and said so.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return _noted(_parse_partial(text))
    except RecursionError:
        return ResultsFile([], False, problem="results.json is nested too deeply to read")
    except ValueError:  # an integer beyond Python's int-to-string limit
        return _parse_huge(text)
    return _from_data(data)


def _from_data(data: Any) -> ResultsFile:
    if not isinstance(data, list):
        return ResultsFile([], False, problem=f"results.json holds a {_kind(data)}, not a list")
    rows = [row for row in data if isinstance(row, dict)]
    if len(rows) != len(data):
        bad = next(i for i, row in enumerate(data) if not isinstance(row, dict))
        return ResultsFile(
            rows, False,
            problem=f"results.json item {bad} is a {_kind(data[bad])}, not an object; "
            f"kept the {len(rows)} objects",
        )
    return ResultsFile(rows, True)


def _parse_huge(text: str) -> ResultsFile:
    try:
        data = _decoder.decode(text)
    except (json.JSONDecodeError, RecursionError):
        return _noted(_parse_partial(text))
    return _noted(_from_data(data))


def _noted(found: ResultsFile) -> ResultsFile:
    """``found`` with a note of the integers kept as text, if any."""
    note = huge_int_note(found.rows, "results.json")
    if not note:
        return found
    return ResultsFile(found.rows, found.complete, found.truncated,
                       f"{found.problem}; {note}" if found.problem else note)


def _parse_partial(text: str) -> ResultsFile:
    """Read objects one by one after '[' until the text stops making sense."""
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        return ResultsFile([], False, problem=f"results.json is not JSON: {_problem(text)}")
    rows: list[dict[str, Any]] = []
    pos += 1
    closed = False
    while True:
        pos = _skip(text, pos)
        try:
            obj, end = _decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError):
            break
        if not isinstance(obj, dict):
            break
        rows.append(obj)
        pos = _skip(text, end)
        closed = text.startswith("]", pos)
        if closed or not text.startswith(",", pos):
            break
        pos += 1
    if closed:
        return ResultsFile(
            rows, False,
            problem=f"results.json has extra content after its closing bracket: "
            f"kept its {len(rows)} rows",
        )
    if not text.rstrip(_WHITESPACE).endswith("]"):
        return ResultsFile(
            rows, False, truncated=True,
            problem=f"results.json ends mid-write (a running or killed trial): "
            f"kept its {len(rows)} complete rows",
        )
    return ResultsFile(
        rows, False,
        problem=f"results.json is corrupt ({_problem(text)}): kept the {len(rows)} rows before it",
    )


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _problem(text: str) -> str:
    try:
        _decoder.decode(text)
    except json.JSONDecodeError as exc:
        return f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    except RecursionError:
        return "nested too deeply"
    return "unexpected content"


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean"}.get(
        type(value), "number" if isinstance(value, int | float) else "null"
    )
