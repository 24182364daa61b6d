"""Warnings as the command shows them: after the command, one line each on stderr, without
the source line Python's own display adds. Matplotlib warns once per character its font
cannot draw (a metric named in Chinese: one warning per ideograph); those become one line
naming the characters."""

from __future__ import annotations

import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["warning_lines"]

_GLYPH = re.compile(r"Glyph (\d+) .*missing from (?:current )?font")


@contextmanager
def warning_lines(prog: str) -> Iterator[None]:
    """Collect the warnings raised inside (under the filters in force) and print them, each
    distinct one once, as ``<prog>: warning: <message>`` when the block ends (before an error
    it ends with)."""
    with warnings.catch_warnings(record=True) as caught:
        try:
            yield
        finally:
            for line in _lines([str(w.message) for w in caught]):
                print(f"{prog}: warning: {line}", file=sys.stderr)


def _lines(messages: list[str]) -> list[str]:
    """The distinct messages' first lines, in order; missing glyphs merged into one."""
    glyphs: list[str] = []
    lines: list[str] = []
    for message in messages:
        glyph = _GLYPH.match(message)
        if glyph:
            char = chr(int(glyph.group(1)))
            if char not in glyphs:
                glyphs.append(char)
            continue
        first = message.strip().splitlines()[0] if message.strip() else message
        if first not in lines:
            lines.append(first)
    if glyphs:
        lines.append(f"the figures' font has no glyph for {' '.join(glyphs)}: drawn as empty "
                     "boxes where the figure draws its own text (PNG, SVG with text as paths); "
                     "the names are whole in the page and the figures' index")
    return lines
