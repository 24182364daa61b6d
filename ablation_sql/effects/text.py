"""An effects result as the text ``ablation-sql effects`` prints: the findings, the
one-row-per-attribute table (``store.render``), then the warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store.render import Rows, render

if TYPE_CHECKING:
    from pandas import DataFrame

    from .result import Effects

__all__ = ["frame_text", "render_effects"]

_TYPES = {"float64": "DOUBLE", "Int64": "BIGINT", "int64": "BIGINT"}


def render_effects(result: Effects, fmt: str = "table") -> tuple[str, str]:
    """``(main, side)`` text of ``result`` in ``fmt`` (table, csv, json or markdown).

    table and markdown: ``main`` is the findings, the table and the warnings, ``side`` is
    empty; csv and json: ``main`` is the table alone, ``side`` the findings and warnings.
    """
    findings = result.findings[: len(result.findings) - len(result.warnings)]
    table = frame_text(result.to_frame(), fmt)
    if fmt in ("csv", "json"):
        return table, _lines("Findings", findings) + _lines("Warnings", result.warnings)
    bullet = "- " if fmt == "markdown" else ""
    return (_lines("Findings", findings, bullet) + "\n" + table
            + ("\n" if result.warnings else "") + _lines("Warnings", result.warnings, bullet),
            "")


def frame_text(frame: DataFrame, fmt: str) -> str:
    """A DataFrame as ``store.render`` writes query results in ``fmt``."""
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
