"""One figure of a kind (line, violin, parallel coordinates) on a new matplotlib Figure, its
title with the trials' counts, laid out so that no label overlaps."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from matplotlib.figure import Figure

from . import axes as plots
from .saving import agg_figure
from .tick_labels import fit_ticks
from .trial_rows import trial_counts

__all__ = ["draw_figure"]

_DRAW: dict[str, Callable] = {"linearplot": plots.lineplot, "violinplot": plots.violinplot,
                              "parallel": plots.parallel_coordinates}


def draw_figure(kind: str, data: pd.DataFrame, options: dict, figure_kwargs: dict,
          counts: str | None = None) -> Figure:
    """The figure of ``kind``; ``counts``: its title's trial counts, when already known."""
    wide = kind == "parallel"
    size = (10.0, 5.0) if wide else (7.0, 5.0)
    if kind == "violinplot":  # wide enough for every level's label (see tick_labels)
        size = plots.violin_figsize(data[options["attribute"]].dropna().unique(), size)
    fig = agg_figure(**{"figsize": size, **figure_kwargs})
    ax = fig.subplots()
    _DRAW[kind](data, ax=ax, **options)
    ax.set_title((f"{options['labels'][options['metric']]}: parallel coordinates" if wide
                  else f"{options['ylabel']} vs. {options['xlabel']}")
                 + f"\n{counts or trial_counts(data, options.get('status'))}", fontsize="medium",
                 wrap=True)
    fig.tight_layout()
    # the layout narrowed the axes: check the labels again, and lay out again if they changed
    if kind == "violinplot" and fit_ticks(ax):
        fig.tight_layout()
    return fig
