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

__all__ = ["SAFE_LOADER", "parse_entries", "parse_entry", "split_children", "split_entries"]

_UNSAFE = ("&", "*", "!", "%", '"', "|", ">", "{", "}", "[", "]", "\t", "\n---", "\n...")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*:(?: |$)", re.MULTILINE)
_ENTRY = re.compile(r"\n(?![ #\r\n]|-(?: |\n|\Z)|\Z)")  # a line break before a line at column 0
_CONTENT = re.compile(r"^ *[^ #\n]", re.MULTILINE)  # a line holding more than a comment

# libyaml's safe loader, or PyYAML's own when it was built without libyaml.
SAFE_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader)


def parse_entries(text: str) -> dict[str, Any] | None:
    """The mapping the text holds, or None when it must be parsed as a whole."""
    entries = split_entries(text)
    if not entries:
        return None
    result: dict[str, Any] = {}
    try:
        for entry in entries:
            value = parse_entry(entry)
            if not isinstance(value, dict) or len(value) != 1:
                return None
            result.update(value)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None  # parsed as a whole, which says what is wrong
    return result


def split_entries(text: str) -> list[str] | None:
    """The texts of the top-level entries, or None when the text is not plainly laid out."""
    text = f"\n{text}"
    if any(mark in text for mark in _UNSAFE):
        return None
    if "'" in text and any(line.count("'") % 2 for line in text.split("\n") if "'" in line):
        return None  # a single-quoted scalar may go on over several lines
    starts = [m.start() + 1 for m in _ENTRY.finditer(text)]
    if not all(_KEY.match(text, start) for start in starts):
        return None
    if _CONTENT.search(text, 0, starts[0] if starts else len(text)):
        return None  # content before the first key: not a plain mapping
    if not starts:
        return []
    ends = [start - 1 for start in starts[1:]] + [len(text)]
    return [text[start:end] for start, end in zip(starts, ends, strict=True)]


def split_children(entry: str) -> list[str] | None:
    """The entries of the mapping that an entry ``key:`` holds on the lines below it, each
    shifted left to column 0 (see ``split_entries``); None when its value is anything else (on
    the key's line, a list, nothing) or some line below is less indented than the first.

    Shifting every line of a block left by the same amount keeps its meaning, so each child
    parses alone to the same value as within the whole.
    """
    head, _, body = entry.partition("\n")
    body = body.rstrip("\n")
    indent = len(body) - len(body.lstrip(" "))
    if not indent or not head.endswith(":") or not _KEY.fullmatch(head):
        return None
    body = f"\n{body}"
    pad = "\n" + " " * indent
    if body.count("\n") != body.count(pad):
        return None
    return split_entries(body.replace(pad, "\n")[1:])


@lru_cache(maxsize=2048)
def parse_entry(entry: str) -> Any:
    """What one entry's text holds alone (cached: the same text is parsed once)."""
    return yaml.load(entry, Loader=SAFE_LOADER)  # noqa: S506 - a safe loader
