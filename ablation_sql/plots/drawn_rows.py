"""The rows a figure draws (finite metric, attributes set) and the note at the bottom of its
Axes that says how many it left out; the order of a categorical attribute's levels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

__all__ = ["add_note", "clean", "left_out", "level_order", "target_axes"]

_NOTE = "ablation_sql.left_out="


def clean(data: pd.DataFrame, metric: str, columns: Sequence[str],
          positive: Sequence[str] = ()) -> tuple[pd.DataFrame, int]:
    """The rows with a finite ``metric``, every one of ``columns`` set and every one of
    ``positive`` a number above 0 (for a log scale), and how many were left out."""
    values = pd.to_numeric(data[metric], errors="coerce").astype(float)
    keep = np.isfinite(values.to_numpy())
    for column in columns:
        keep &= data[column].notna().to_numpy()
    for column in positive:
        keep &= (pd.to_numeric(data[column], errors="coerce") > 0).to_numpy()
    kept = data.loc[keep].copy()
    kept[metric] = values[keep]
    return kept, int((~keep).sum())


def level_order(levels: pd.Series, categories: list | None = None) -> list[str]:
    """A stable order of the levels (as text): declared categories first in their order, then
    the others, numbers sorted as numbers, else as text."""
    present = list(levels.dropna().astype(str).unique())
    first = [str(c) for c in categories or [] if str(c) in present]
    rest = [v for v in present if v not in first]
    numeric = pd.to_numeric(pd.Series(rest, dtype=object), errors="coerce")
    if rest and numeric.notna().all():
        rest = [v for _, v in sorted(zip(numeric, rest, strict=True))]
    else:
        rest.sort()
    return first + rest


def target_axes(ax: Axes | None) -> Axes:
    """``ax``, or the current Axes when None."""
    if ax is not None:
        return ax
    from matplotlib import pyplot as plt  # only when asked for: importing it picks a backend

    return plt.gca()


def add_note(ax: Axes, n: int, dropped: int, drawn: str = "") -> None:
    """The note at the bottom of ``ax``: how many rows were drawn and left out."""
    text = (f"n = {n}" + (f"; {drawn}" if drawn else "")
            + (f"; left out: {dropped} (NULL or infinite)" if dropped else ""))
    ax.text(0.01, 0.01, text, transform=ax.transAxes, fontsize="x-small", color="0.4",
            ha="left", va="bottom", gid=f"{_NOTE}{dropped}", zorder=5,
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})


def left_out(ax: Axes) -> int:
    """How many rows the plot drawn on ``ax`` left out (0 when it has no note)."""
    gids = [t.get_gid() or "" for t in ax.texts]
    return sum(int(g.removeprefix(_NOTE)) for g in gids if g.startswith(_NOTE))
