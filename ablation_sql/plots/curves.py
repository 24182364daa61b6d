"""Learning curves: the one interval and the one drawing of a metric per step and level.

The band is the t-interval of the mean, mean ± t(0.975, n-1)·std/√n over the trials of a level
at a step (none for n < 2): the interval the ``learning_curves`` named query computes in SQL
(``ci95_half_width``), so ``axes.learning_curve`` (from a frame) and the report (from the query)
draw the same numbers for the same data."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from scipy.special import stdtrit

__all__ = ["BAND_COLUMNS", "curve_bands", "draw_curves"]

BAND_COLUMNS = ["level", "step", "n", "mean", "std", "ci_low", "ci_high"]


def curve_bands(frame: pd.DataFrame, *, metric: str, attribute: str, step: str,
                levels: Sequence[str]) -> pd.DataFrame:
    """Per level (in ``levels``' order) and step: n, mean, std and the 95 % t-interval of the
    mean of ``metric`` (finite values only; ``ci_low``/``ci_high`` NaN for n < 2)."""
    grouped = frame.groupby([attribute, step], sort=False)[metric].agg(["count", "mean", "std"])
    bands = grouped.reset_index().rename(columns={attribute: "level", step: "step",
                                                  "count": "n"})
    n = bands["n"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = np.where(n >= 2, stdtrit(np.maximum(n - 1, 1), 0.975)
                        * bands["std"].to_numpy(dtype=float) / np.sqrt(n), np.nan)
    bands["ci_low"] = bands["mean"] - half
    bands["ci_high"] = bands["mean"] + half
    bands["level"] = pd.Categorical(bands["level"], categories=list(levels), ordered=True)
    bands = bands.sort_values(["level", "step"], kind="stable")
    bands["level"] = bands["level"].astype(str)
    return bands[BAND_COLUMNS].reset_index(drop=True)


def draw_curves(ax: Axes, bands: pd.DataFrame, *, title: str,
                label: Callable[[str], str] = str) -> None:
    """One line (the mean) and its band (``ci_low``..``ci_high``) per level of ``bands``, in
    the frame's order, with a legend titled ``title`` when there is a level."""
    for i, level in enumerate(dict.fromkeys(bands["level"].dropna())):
        rows = bands[bands["level"] == level]
        ax.plot(rows["step"], rows["mean"].astype(float), color=f"C{i % 10}",
                label=label(str(level)))
        ax.fill_between(rows["step"], rows["ci_low"].astype(float),
                        rows["ci_high"].astype(float), color=f"C{i % 10}", alpha=0.2,
                        linewidth=0)
    if len(bands):
        ax.legend(title=title, fontsize="small")
