"""Numbers as people read them in sentences and on figures: the one formatter of findings,
tables in words and axis labels (``number``)."""

from __future__ import annotations

__all__ = ["number"]


def number(value: float, *, sign: bool = False) -> str:
    """A number to 3 significant digits with a real minus sign (and + when ``sign``)."""
    text = format(value, "+.3g" if sign else ".3g")
    return text.replace("-", "\u2212")
