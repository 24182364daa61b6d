"""Axes-level plots of ablation results, in seaborn's manner (data first, keyword-only options).

Each function takes a long-form DataFrame, draws on ``ax`` (the current Axes when None) and
returns the Axes. Rows whose metric is NULL, NaN or infinite, or whose attribute is NULL, are
left out and counted in a note at the bottom of the Axes (``ax.texts``), so that a single
infinity never breaks a regression fit.

    >>> ax = lineplot(df, metric="val_accuracy", attribute="model_config.num_filter1")
    ... # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes

__all__ = ["learning_curve", "lineplot", "violinplot", "clean", "level_order"]


def clean(data: pd.DataFrame, metric: str, columns: list[str]) -> tuple[pd.DataFrame, int]:
    """The rows with a finite ``metric`` and every one of ``columns`` set, and how many were
    left out."""
    values = pd.to_numeric(data[metric], errors="coerce").astype(float)
    keep = np.isfinite(values.to_numpy())
    for column in columns:
        keep &= data[column].notna().to_numpy()
    kept = data.loc[keep].copy()
    kept[metric] = values[keep]
    return kept, int((~keep).sum())


def level_order(levels: pd.Series, categories: list | None = None) -> list[str]:
    """A stable order of the levels (as text): declared categories first in their order, then
    the others, numbers sorted as numbers, else as text."""
    present = list(dict.fromkeys(str(v) for v in levels.dropna()))
    first = [str(c) for c in categories or [] if str(c) in present]
    rest = [v for v in present if v not in first]
    numeric = pd.to_numeric(pd.Series(rest, dtype=object), errors="coerce")
    if rest and numeric.notna().all():
        rest = [v for _, v in sorted(zip(numeric, rest, strict=True))]
    else:
        rest.sort()
    return first + rest


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    from matplotlib import pyplot as plt  # only when asked for: importing it picks a backend

    return plt.gca()


def _note(ax: Axes, n: int, dropped: int) -> None:
    text = f"n = {n}" + (f"; left out: {dropped} (NULL or infinite)" if dropped else "")
    ax.text(0.01, 0.01, text, transform=ax.transAxes, fontsize="x-small", color="0.4",
            ha="left", va="bottom")


def _best(values: pd.Series, direction: str) -> float:
    return float(values.max() if direction == "max" else values.min())


def lineplot(
    data: pd.DataFrame,
    *,
    metric: str,
    attribute: str,
    direction: str = "max",
    log: bool = False,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A metric against a numerical attribute: the points, a linear regression line with its
    95 % CI (fitted against log10 of the attribute, with a log x-axis, when ``log``), and the
    best point by ``direction`` marked."""
    ax = _axes(ax)
    frame, dropped = clean(data, metric, [attribute])
    frame[attribute] = pd.to_numeric(frame[attribute], errors="coerce").astype(float)
    if log:
        dropped += int((frame[attribute] <= 0).sum())
        frame = frame[frame[attribute] > 0]
    if len(frame) >= 2:
        sns.regplot(data=frame, x=attribute, y=metric, logx=log, ax=ax,
                    scatter_kws={"s": 18, "alpha": 0.7}, line_kws={"color": "C1"})
    elif len(frame):
        ax.scatter(frame[attribute], frame[metric], s=18, alpha=0.7)
    if log:
        ax.set_xscale("log")
    if len(frame):
        best = frame.loc[frame[metric].idxmax() if direction == "max" else frame[metric].idxmin()]
        ax.scatter([best[attribute]], [best[metric]], marker="*", s=120, color="C3", zorder=3,
                   label=f"Best: {best[metric]:.2e}")
        ax.legend(loc="best", fontsize="small")
    ax.set_xlabel(xlabel or attribute)
    ax.set_ylabel(ylabel or metric)
    _note(ax, len(frame), dropped)
    return ax


def violinplot(
    data: pd.DataFrame,
    *,
    metric: str,
    attribute: str,
    direction: str = "max",
    order: list | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A violin of the metric per level of a categorical attribute, with ABLATOR's tick
    labels ``Mean: …`` / ``Best: …`` / level (best by ``direction``). Levels are in ``order``
    when given (declared categories, e.g.), the others after them (see ``level_order``)."""
    ax = _axes(ax)
    frame, dropped = clean(data, metric, [attribute])
    frame[attribute] = frame[attribute].astype(str)
    levels = level_order(frame[attribute], order)
    if len(frame):
        sns.violinplot(data=frame, x=attribute, y=metric, hue=attribute, order=levels,
                       hue_order=levels, legend=False, palette="Set2", ax=ax, cut=0)
        labels = []
        for level in levels:
            values = frame.loc[frame[attribute] == level, metric]
            labels.append(f"Mean: {values.mean():.2e}\nBest: {_best(values, direction):.2e}\n"
                          f"{level}")
        ax.set_xticks(range(len(levels)), labels)
    ax.set_xlabel(xlabel or attribute)
    ax.set_ylabel(ylabel or metric)
    _note(ax, len(frame), dropped)
    return ax


def learning_curve(
    data: pd.DataFrame,
    *,
    metric: str,
    attribute: str,
    step: str = "step",
    order: list | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The metric per step: the mean and its 95 % CI over the trials of each level of
    ``attribute`` (one line per level, in a stable order). ``step`` may be a column or an
    index level (as in a frame indexed by (trial_uid, step))."""
    ax = _axes(ax)
    if step not in data.columns:
        data = data.reset_index()
    frame, dropped = clean(data, metric, [attribute, step])
    frame[attribute] = frame[attribute].astype(str)
    levels = level_order(frame[attribute], order)
    if len(frame):
        sns.lineplot(data=frame, x=step, y=metric, hue=attribute, hue_order=levels,
                     errorbar=("ci", 95), ax=ax)
    ax.set_xlabel(xlabel or step)
    ax.set_ylabel(ylabel or metric)
    if ax.get_legend() is not None:
        ax.get_legend().set_title(attribute)
    _note(ax, len(frame), dropped)
    return ax
