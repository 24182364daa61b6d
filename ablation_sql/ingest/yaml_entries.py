"""Parsing a config's top-level entries one by one, each distinct entry text only once.

The trials of an experiment repeat most of their config word for word (the search space, the
defaults); only a few entries differ. When the text is plainly laid out (no anchors, aliases,
tags, directives, double quotes, flow collections or block scalars, and every line at column 0
starts a ``key:``, a ``- `` item or a comment), each top-level entry parses to the same value
alone as in the whole document, so entries seen before are taken from a cache. Anything else
returns None and the caller parses the whole text. Every parse is libyaml's safe loader.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

__all__ = ["SAFE_LOADER", "parse_entries"]

_UNSAFE = re.compile(r"[&*!%\"|>{}\[\]\t]|^(---|\.\.\.)", re.MULTILINE)
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*:(?: |$)")

# libyaml's safe loader, or PyYAML's own when it was built without libyaml.
SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader)


def parse_entries(text: str) -> dict[str, Any] | None:
    """The mapping the text holds, or None when it must be parsed as a whole."""
    entries = _split(text)
    if not entries:
        return None
    result: dict[str, Any] = {}
    try:
        for entry in entries:
            value = _parse_entry(entry)
            if not isinstance(value, dict) or len(value) != 1:
                return None
            result.update(value)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None  # parsed as a whole, which says what is wrong
    return result


def _split(text: str) -> list[str] | None:
    if _UNSAFE.search(text):
        return None
    entries: list[str] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line.count("'") % 2:
            return None  # a single-quoted scalar may go on over several lines
        if not line or line[0] in " #\r" or line.startswith("- ") or line == "-":
            if current:
                current.append(line)
            elif line.strip() and not line.lstrip().startswith("#"):
                return None  # content before the first key: not a plain mapping
            continue
        if not _KEY.match(line):
            return None
        if current:
            entries.append("\n".join(current))
        current = [line]
    if current:
        entries.append("\n".join(current))
    return entries


@lru_cache(maxsize=2048)
def _parse_entry(entry: str) -> Any:
    return yaml.load(entry, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
