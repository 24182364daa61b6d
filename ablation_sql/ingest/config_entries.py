"""A plainly laid out config's JSON and params rows, put together from its entries.

Trials repeat most of their config word for word, so each distinct entry text (a top-level
entry, or one nested in an entry of its own, ``yaml_entries``) is parsed, made into JSON and
flattened once, and its results reused: a trial costs a parse of only the few lines where it
differs. The result is what ``flatten.to_json`` and ``flatten.flatten``/``param_row`` give for
the whole config; anything that might not be (a duplicate key, a value that is not plain JSON,
a layout ``yaml_entries`` does not take) returns None, and the caller reads the whole text.
"""

from __future__ import annotations

import json
from functools import lru_cache
from itertools import chain
from typing import Any, TypeGuard

import yaml

from .batch_columns import PARAM_COLUMNS
from .flatten import flatten, param_row
from .yaml_entries import parse_entry, split_children, split_entries

__all__ = ["config_rows"]

# params rows column by column, as tuples in the order of PARAM_COLUMNS
Columns = tuple[tuple, ...]
_NO_ROWS: Columns = ((),) * len(PARAM_COLUMNS)
# an entry's key, its JSON member (``"key":value``) and its params rows
Entry = tuple[Any, str, Columns]
_SEPARATORS = (",", ":")


def config_rows(text: str, keep_whole: frozenset[str]) -> tuple[str, list[Columns]] | None:
    """The config's JSON and its params rows (one Columns per top-level entry), or None."""
    entries = split_entries(text)
    if not entries:
        return None
    found = [_entry(entry, "", keep_whole) for entry in entries]
    if not _distinct(found):
        return None
    return "{" + ",".join(member for _, member, _ in found) + "}", [c for _, _, c in found]


def _distinct(found: list[Entry | None]) -> TypeGuard[list[Entry]]:
    """Every entry was read, and no key repeats (YAML would keep the last value of a key)."""
    keys = {entry[0] for entry in found if entry is not None}
    return None not in found and len(keys) == len(found)


@lru_cache(maxsize=8192)
def _entry(text: str, prefix: str, keep_whole: frozenset[str]) -> Entry | None:
    """An entry's key, its JSON member (``"key":value``) and its params rows, their names
    under ``prefix``; None when the whole text must be read."""
    children = split_children(text)
    if children:
        head = _head(text.partition("\n")[0])
        if head is not None:
            key, key_json = head
            name = f"{prefix}{key}"
            found = [_entry(child, f"{name}.", keep_whole) for child in children]
            if _distinct(found):
                value_json = "{" + ",".join(member for _, member, _ in found) + "}"
                rows = [c for _, _, c in found]
                if name in keep_whole:
                    rows.insert(0, tuple((v,) for v in (name, value_json, None, None, "map")))
                columns = tuple(tuple(chain.from_iterable(c)) for c in zip(*rows, strict=True))
                return key, f"{key_json}:{value_json}", columns
    return _leaf(text, prefix, keep_whole)


def _leaf(text: str, prefix: str, keep_whole: frozenset[str]) -> Entry | None:
    try:
        value = parse_entry(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or len(value) != 1:
        return None
    try:
        member = json.dumps(value, allow_nan=False, separators=_SEPARATORS)[1:-1]
    except (ValueError, TypeError):
        return None  # NaN, a date, a huge integer: the whole config is made safe as one
    rows = [(name, *param_row(v)) for name, v in flatten(value, keep_whole, prefix)]
    return next(iter(value)), member, tuple(zip(*rows, strict=True)) if rows else _NO_ROWS


@lru_cache(maxsize=1024)
def _head(line: str) -> tuple[Any, str] | None:
    """The key of a line ``key:`` and the key as JSON (None when the key is no JSON key)."""
    try:
        value = parse_entry(line)
        member = json.dumps(value, separators=_SEPARATORS)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return None
    if not isinstance(value, dict) or len(value) != 1 or not member.endswith(":null}"):
        return None
    return next(iter(value)), member[1:-len(":null}")]
