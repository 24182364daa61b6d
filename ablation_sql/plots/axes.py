"""Axes-level plots of ablation results, in seaborn's manner (data first, keyword-only options).

Each function takes a long-form DataFrame, draws on ``ax`` (the current Axes when None) and
returns the Axes. Rows whose metric is NULL, NaN or infinite, or whose attribute is NULL, are
left out and counted in a note at the bottom of the Axes (``ax.texts``), so that a single
infinity never breaks a regression fit.

    >>> ax = lineplot(df, metric="val_accuracy", attribute="model_config.num_filter1")
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import ListedColormap
from matplotlib.ticker import MaxNLocator

from ..store.numbers import number
from .curves import curve_bands, draw_curves
from .drawn_rows import add_note, clean, left_out, level_order, target_axes
from .summaries import fit_line, level_summaries
from .tick_labels import category_figsize, fit_ticks, wrap_name

__all__ = ["learning_curve", "lineplot", "violinplot", "parallel_coordinates", "clean",
           "level_order", "left_out", "DENSITY_ABOVE", "PARALLEL_ABOVE"]

DENSITY_ABOVE = 5_000  # points: more are drawn as a density (hexbin) under the regression
PARALLEL_ABOVE = 2_000  # lines: more, and only the best share is drawn in colour
BEST_SHARE = 0.05  # of the lines, the best by direction, drawn in colour ...
BEST_LINES = 1_000  # ... but no more than these (above 20,000 lines, the best 1,000)
GREY_LINES = 2_000  # of the other lines, a seeded random sample drawn in grey
_DENSITY_COLOURS = ListedColormap(colormaps["Blues"](np.linspace(0.3, 1, 256)))  # 1 is seen


_LINE = "0.3"  # the violins' outlines and boxes
_MARKERS = {"failed": ("X", "C3"), "running": ("^", "C2")}


def _split(frame: pd.DataFrame, status: str | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The complete trials' rows and the others' (none when there is no ``status`` column)."""
    if status is None or status not in frame.columns:
        return frame, frame.iloc[:0]
    done = (frame[status] == "complete").to_numpy()
    return frame.loc[done], frame.loc[~done]


def _others(ax: Axes, others: pd.DataFrame, x: pd.Series, y: pd.Series, status: str) -> None:
    """The rows of trials that did not complete, one marker per status, in the legend."""
    for name, rows in others.groupby(status, sort=True):
        marker, color = _MARKERS.get(str(name), ("D", "0.45"))
        ax.scatter(x.loc[rows.index], y.loc[rows.index], marker=marker, s=40, color=color,
                   edgecolor="black", linewidth=0.4, zorder=4, label=f"{name} ({len(rows)})")


def lineplot(
    data: pd.DataFrame,
    *,
    metric: str,
    attribute: str,
    direction: str = "max",
    log: bool = False,
    xlabel: str | None = None,
    ylabel: str | None = None,
    status: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A metric against a numerical attribute: the points, a linear regression line with its
    95 % CI (fitted against log10 of the attribute, with a log x-axis, when ``log``), and the
    best point by ``direction`` marked. Above ``DENSITY_ABOVE`` points the points are drawn
    as a density (hexbin, log counts) under the regression, and the note says so. ``status``
    names a column of trial statuses: rows of trials that did not complete are drawn with a
    marker per status, outside the fit and the best."""
    ax = target_axes(ax)
    everything, dropped = clean(data, metric, [attribute], [attribute] if log else [])
    everything[attribute] = pd.to_numeric(everything[attribute], errors="coerce").astype(float)
    frame, others = _split(everything, status)
    if len(others):
        _others(ax, others, everything[attribute], everything[metric], status or "")
    dense = len(frame) > DENSITY_ABOVE
    if dense:
        cells = ax.hexbin(frame[attribute], frame[metric], gridsize=60, mincnt=1, bins="log",
                          cmap=_DENSITY_COLOURS, xscale="log" if log else "linear",
                          linewidths=0)
        ax.figure.colorbar(cells, ax=ax, label="trials per hexagon")
    elif len(frame):
        ax.scatter(frame[attribute], frame[metric], s=18, alpha=0.7)
    _fit_band(ax, frame[attribute], frame[metric], log)
    if log:
        ax.set_xscale("log")
    if len(frame):
        best = frame.loc[frame[metric].idxmax() if direction == "max" else frame[metric].idxmin()]
        ax.scatter([best[attribute]], [best[metric]], marker="*", s=120, color="C3", zorder=3,
                   label=f"Best: {best[metric]:.2e}")
    if len(everything):
        ax.legend(loc="best", fontsize="small")
    ax.set_xlabel(xlabel or attribute)
    ax.set_ylabel(ylabel or metric)
    add_note(ax, len(everything), dropped,
          f"density of {len(frame):,} trials (hexbin, above {DENSITY_ABOVE:,} points)"
          if dense else "")
    return ax


def _fit_band(ax: Axes, x: pd.Series, y: pd.Series, log: bool) -> None:
    """The least-squares line of ``y`` on ``x`` (on log10 x when ``log``) with its 95 %
    confidence band, drawn as seaborn's regplot draws them; computed in closed form in SQL
    (``summaries.fit_line``), where regplot would refit 1,000 bootstrap resamples."""
    fit = fit_line(x.to_numpy(float), y.to_numpy(float), log)
    if fit is None:
        return  # fewer than 2 points or one x value: no line
    ax.plot(fit.x, fit.y, color="C1",
            linewidth=1.5 * matplotlib.rcParams["lines.linewidth"])  # as regplot's
    ax.fill_between(fit.x, fit.low, fit.high, facecolor="C1", alpha=0.15)


def violinplot(
    data: pd.DataFrame,
    *,
    metric: str,
    attribute: str,
    direction: str = "max",
    order: list | None = None,
    xlabel: str | None = None,
    ylabel: str | None = None,
    status: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A violin of the metric per level of a categorical attribute, with ABLATOR's tick
    labels ``Mean: …`` / ``Best: …`` / level (best by ``direction``; the level's name wrapped,
    the labels turned, shrunk or thinned when they would overlap). Levels are in ``order``
    when given (declared categories, e.g.), the others after them (see ``level_order``).
    ``status`` names a column of trial statuses: rows of trials that did not complete are
    drawn as markers per status beside the violins, outside them and the labels' numbers."""
    ax = target_axes(ax)
    everything, dropped = clean(data, metric, [attribute])
    everything[attribute] = everything[attribute].astype(str)
    levels = level_order(everything[attribute], order)
    frame, others = _split(everything, status)
    if len(others):
        where = everything[attribute].map({level: i + 0.3 for i, level in enumerate(levels)})
        _others(ax, others, where, everything[metric], status or "")
        ax.legend(loc="best", fontsize="small")
    if len(frame):
        table, outlines = level_summaries(frame[attribute], frame[metric], direction)
        table = table.reindex(levels)
        _violins(ax, table, outlines, levels)
        ax.set_xticks(range(len(levels)), [_violin_label(level, r.mean, r.best)
                                           for level, r in zip(levels, table.itertuples(),
                                                               strict=True)])
    ax.set_xlabel(xlabel or attribute)
    ax.set_ylabel(ylabel or metric)
    add_note(ax, len(everything), dropped)
    fit_ticks(ax)
    return ax


def _violins(ax: Axes, table: pd.DataFrame, outlines: dict[str, tuple[np.ndarray, np.ndarray]],
             levels: list[str]) -> None:
    """Seaborn's violins from the levels' summaries (``summaries.level_summaries``): each
    level's density outline (widths relative to the densest, as seaborn's "area" norm), a Set2
    colour per level, the box (quartiles), the whiskers and a white median mark; a level of one
    value or no spread is a flat line at its value."""
    peak = max((d.max() for _, d in outlines.values()), default=1.0)
    palette = colormaps["Set2"](np.arange(8))  # Set2's 8 colours, repeated past 8 levels
    position = {level: i for i, level in enumerate(levels)}
    drawn = [level for level in levels if level in outlines]
    if drawn:
        parts = ax.violin([{"coords": outlines[level][0], "vals": outlines[level][1],
                            "mean": table.loc[level, "mean"], "median": table.loc[level, "q2"],
                            "min": table.loc[level, "low"], "max": table.loc[level, "high"]}
                           for level in drawn],
                          positions=[position[level] for level in drawn],
                          widths=[0.8 * outlines[level][1].max() / peak for level in drawn],
                          showmeans=False, showextrema=False, showmedians=False)
        bodies: Any = parts["bodies"]  # a list of PolyCollections
        for body, level in zip(bodies, drawn, strict=True):
            body.set(facecolor=palette[position[level] % len(palette)], edgecolor=_LINE,
                     alpha=1, linewidth=1.25, zorder=1)
    box = 1.25 * 4.5  # points: seaborn's box width for its default line width
    for level, r in table.dropna(subset=["n"]).iterrows():
        x = position[level]
        if level not in outlines:
            ax.plot([x - 0.4, x + 0.4], [r.q2, r.q2], color=_LINE, linewidth=1.25)
            continue
        ax.plot([x, x], [r.whisker_low, r.whisker_high], color=_LINE, linewidth=box / 3)
        ax.plot([x, x], [r.q1, r.q3], color=_LINE, linewidth=box)
        ax.plot([x], [r.q2], marker="_", markersize=box / 1.2, markeredgewidth=box / 5,
                color="white")
    ax.set_xlim(-0.5, len(levels) - 0.5)


def _violin_label(level: str, mean: float, best: float) -> str:
    return f"Mean: {mean:.2e}\nBest: {best:.2e}\n{wrap_name(level)}"


def violin_figsize(levels: Sequence, base: tuple[float, float]) -> tuple[float, float]:
    """A figure size at least ``base`` in which ``violinplot``'s labels of ``levels`` fit
    (see ``tick_labels.category_figsize``)."""
    return category_figsize([_violin_label(str(level), 0.0, 0.0) for level in levels], base)


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
    """The metric per step: the mean and its 95 % t-interval over the trials of each level of
    ``attribute`` (one line per level, in a stable order; ``curves.curve_bands``, the interval
    of the ``learning_curves`` query and the report). ``step`` may be a column or an
    index level (as in a frame indexed by (trial_uid, step))."""
    ax = target_axes(ax)
    if step not in data.columns:
        data = data.reset_index()
    frame, dropped = clean(data, metric, [attribute, step])
    frame[attribute] = frame[attribute].astype(str)
    levels = level_order(frame[attribute], order)
    bands = curve_bands(frame, metric=metric, attribute=attribute, step=step, levels=levels)
    draw_curves(ax, bands, title=attribute)
    ax.set_xlabel(xlabel or step)
    ax.set_ylabel(ylabel or metric)
    add_note(ax, len(frame), dropped)
    return ax


def parallel_coordinates(
    data: pd.DataFrame,
    *,
    metric: str,
    attributes: Sequence[str],
    direction: str = "max",
    categories: dict[str, list | None] | None = None,
    log: dict[str, bool] | None = None,
    labels: dict[str, str] | None = None,
    status: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """One vertical axis per attribute and a last one for the metric; each row is a line
    through its values, coloured by the metric (with a colorbar), the best rows by
    ``direction`` drawn on top. Numerical attributes are scaled min–max to [0, 1] (log10 first
    when ``log`` says so; values <= 0 are then left out); categorical ones (those in
    ``categories``, which maps each to its declared level order or None, or any column not all
    numbers) sit at evenly spaced levels in ``level_order``. Each axis is ticked with real
    values. ``labels`` maps attribute and metric names to the names shown. ``status`` names a
    column of trial statuses: trials that did not complete are drawn dashed. Above
    ``PARALLEL_ABOVE`` rows only the best ``BEST_SHARE`` (at most ``BEST_LINES``) are
    coloured, over a grey random sample (seeded) of ``GREY_LINES`` of the rest; the note says
    how many of each."""
    ax = target_axes(ax)
    categories, log, labels = categories or {}, log or {}, labels or {}
    kinds = {a: a in categories or bool((pd.to_numeric(data[a], errors="coerce").isna()
                                          & data[a].notna()).any()) for a in attributes}
    frame, dropped = clean(data, metric, attributes,
                           [a for a in attributes if log.get(a) and not kinds[a]])
    frame = frame.sort_values(metric, ascending=direction == "max", kind="stable")
    axes = [_levels(frame[a], categories.get(a)) if kinds[a] else _numbers(frame[a], log.get(a))
            for a in attributes] + [_numbers(frame[metric], False)]
    ys = np.column_stack([y for y, _, _ in axes])
    segments = np.stack([np.broadcast_to(np.arange(len(axes)), ys.shape), ys], axis=-1)
    done = (frame[status] == "complete").to_numpy() if status in frame.columns else \
        np.ones(len(frame), bool)
    best, grey, drawn = _parallel_sample(len(frame))
    if len(grey):
        ax.add_collection(LineCollection(list(segments[grey]), colors="0.6", linewidths=0.5,
                                         alpha=0.12, linestyles=_line_styles(done[grey])))
    lines = LineCollection(list(segments[best]), array=frame[metric].to_numpy(float)[best],
                           linewidths=1, alpha=0.7,
                           cmap="viridis" if direction == "max" else "viridis_r",
                           linestyles=_line_styles(done[best]))
    ax.add_collection(lines)
    last = max(len(axes) - 1, 1)
    ax.set_xlim(0, last)
    ax.set_ylim(-0.1, 1.03)  # room for the note below the lowest ticks
    ax.set_xticks(range(len(axes)), [labels.get(n, n) for n in [*attributes, metric]],
                  rotation=15, ha="right", rotation_mode="anchor")
    ax.set_yticks([])
    ax.spines[:].set_visible(False)
    for x, (_, where, names) in enumerate(axes):
        side = ax.secondary_yaxis(x / last)
        side.set_alignment("left")
        side.set_zorder(lines.get_zorder() + 1)  # tick labels above the lines
        side.set_yticks(where, names, fontsize="x-small",
                        bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1})
    if len(frame):
        ax.figure.colorbar(lines, ax=ax, label=labels.get(metric, metric)
                           + (" (coloured lines)" if drawn else ""))
    add_note(ax, len(frame), dropped, drawn)
    return ax


def _line_styles(done: np.ndarray) -> str | list[str]:
    """Solid lines for complete trials, dashed for the others: one style for the whole
    collection when they are all complete (drawn faster than a style per line)."""
    if done.all():
        return "solid"
    return ["solid" if d else "dashed" for d in done]


def _parallel_sample(n: int) -> tuple[np.ndarray, np.ndarray, str]:
    """Of ``n`` lines sorted worst to best: the indices drawn in colour, those drawn in grey
    beneath them and what the note says of it. Above ``PARALLEL_ABOVE`` lines, the best
    ``BEST_SHARE`` (at most ``BEST_LINES``: more are a solid block, and each costs its
    stroke) in colour over a seeded random sample of ``GREY_LINES`` of the rest."""
    if n <= PARALLEL_ABOVE:
        return np.arange(n), np.arange(0), ""
    keep = min(int(np.ceil(BEST_SHARE * n)), BEST_LINES)
    rest = n - keep
    grey = np.sort(np.random.default_rng(0).choice(rest, min(GREY_LINES, rest), replace=False))
    return (np.arange(rest, n), grey, f"best {keep:,} of {n:,} drawn in colour; "
            f"{len(grey):,} of the other {rest:,} (a random sample) in grey")


def _levels(values: pd.Series, order: list | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Positions of categorical values (evenly spaced levels), the levels' and their names."""
    text = values.astype(str)
    levels = level_order(text, order)
    where = np.linspace(0, 1, len(levels)) if len(levels) > 1 else np.full(len(levels), 0.5)
    return text.map(dict(zip(levels, where, strict=True))).to_numpy(float), where, levels


def _numbers(values: pd.Series, log: bool | None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Positions of numbers scaled min–max to [0, 1] (after log10 when ``log``), a few ticks'
    positions and their real values as text."""
    found = pd.to_numeric(values, errors="coerce").to_numpy(float)
    found = np.log10(found) if log else found
    if not len(found):
        return found, np.array([]), []
    low, high = float(found.min()), float(found.max())
    if high == low:
        return np.full(len(found), 0.5), np.array([0.5]), [_real(low, log)]
    ticks = np.asarray(MaxNLocator(nbins=4, integer=bool(log)).tick_values(low, high))
    ticks = ticks[(ticks >= low - 1e-9 * (high - low)) & (ticks <= high + 1e-9 * (high - low))]
    if len(ticks) < 2:
        ticks = np.array([low, high])
    return ((found - low) / (high - low), (ticks - low) / (high - low),
            [_real(t, log) for t in ticks])


def _real(value: float, log: bool | None) -> str:
    return number(10 ** value if log else value)
