"""An effects result as the text ``ablation-sql effects`` prints: the findings, the
one-row-per-attribute table (``store.render``), then the warnings."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

from ..store.render import Rows, render

if TYPE_CHECKING:
    import pandas as pd

    from .result import Effects

__all__ = ["TableWithFindings", "render_effects", "render_frame", "render_with_sentences"]

_TYPES = {"float64": "DOUBLE", "Int64": "BIGINT", "int64": "BIGINT"}


class TableWithFindings(ABC):
    """A result that prints as its table with its findings (``render_with_sentences``)."""

    findings: list[str]

    @abstractmethod
    def to_frame(self) -> pd.DataFrame:
        """The table the command prints."""

    def render(self, format: str = "table") -> str:
        """What the command prints to stdout with ``--format FORMAT``."""
        return render_with_sentences(self.to_frame(), format, self.findings, [])[0]

    def render_side(self, format: str = "table") -> str:
        """What it prints to stderr (the findings, for csv and json)."""
        return render_with_sentences(self.to_frame(), format, self.findings, [])[1]


def render_effects(result: Effects, fmt: str = "table") -> tuple[str, str]:
    """``(main, side)`` text of ``result`` in ``fmt`` (table, csv, json or markdown).

    table and markdown: ``main`` is the findings, the table and the warnings, ``side`` is
    empty; csv and json: ``main`` is the table alone, ``side`` the findings and warnings.
    """
    findings = result.findings[: len(result.findings) - len(result.warnings)]
    main, side = render_with_sentences(result.to_frame(), fmt, findings, result.warnings)
    if fmt in ("csv", "json") or result.study.empty:
        return main, side
    return (main + "\nEach experiment sharing this search space, and pooled (on configuration "
            "means):\n" + render_frame(result.study, fmt), side)


def render_with_sentences(frame: pd.DataFrame, fmt: str, findings: list[str],
                          warnings: list[str]) -> tuple[str, str]:
    """``(main, side)``: a table with its findings before and warnings after (table and
    markdown), or the table alone with the sentences on the side (csv and json)."""
    table = render_frame(frame, fmt)
    if fmt in ("csv", "json"):
        return table, _lines("Findings", findings) + _lines("Warnings", warnings)
    bullet = "- " if fmt == "markdown" else ""
    return (_lines("Findings", findings, bullet) + "\n" + table
            + ("\n" if warnings else "") + _lines("Warnings", warnings, bullet),
            "")


def render_frame(frame: pd.DataFrame, fmt: str) -> str:
    """A DataFrame rendered as ``store.render`` renders query results."""
    rows = Rows(list(frame.columns), [_TYPES.get(str(t), "VARCHAR") for t in frame.dtypes],
                [tuple(_value(v) for v in row) for row in frame.itertuples(index=False)])
    return render(rows, fmt)


def _lines(title: str, sentences: list[str], bullet: str = "") -> str:
    if not sentences:
        return ""
    return f"{title}:\n" + "".join(f"{bullet}{s}\n" for s in sentences)


def _value(value: object) -> object:
    """A table cell as a plain Python value (None for NULL, NaN and NA)."""
    from pandas import isna

    if isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
