"""Category tick labels that never overlap, at any number of levels and any length of name.

A level's name is wrapped at ``WRAP`` characters; ``category_figsize`` widens a figure (and
deepens it when the labels must turn) from the number of levels and the labels' lengths;
``fit_ticks`` measures the drawn labels and turns them a quarter, then shrinks their type, then
shows only every k-th, until no two overlap. The label's text is never cut.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

__all__ = ["WRAP", "category_figsize", "fit_ticks", "overlapping", "wrap_name"]

WRAP = 20  # characters per line of a level's name under a tick
MAX_FLAT_WIDTH = 16.0  # inches: a wider row of flat labels is turned a quarter instead
_CHAR, _LINE, _PAD = 0.62, 1.25, 10.0  # em per character, em per line, points between labels
_MARGIN = 1.6  # inches beside the axes (y label, ticks)
_SMALLEST = 5.0  # points: below this the labels are thinned rather than shrunk


def wrap_name(name: str, width: int = WRAP) -> str:
    """``name`` in lines of at most ``width`` characters (long words broken)."""
    lines = textwrap.wrap(name, width, break_long_words=True, break_on_hyphens=False,
                          replace_whitespace=False, drop_whitespace=True)
    return "\n".join(lines) or name


def _extent(labels: Sequence[str], fontsize: float) -> tuple[float, float]:
    """Points: the widest line of the labels (their depth when turned) and the height of the
    label of most lines (its width when turned)."""
    lines = [line for label in labels for line in label.split("\n")] or [""]
    widest = max(len(line) for line in lines) * _CHAR * fontsize
    deepest = max(label.count("\n") + 1 for label in labels or [""]) * _LINE * fontsize
    return widest, deepest


def category_figsize(labels: Sequence[str], base: tuple[float, float],
                     fontsize: float = 10.0) -> tuple[float, float]:
    """A figure size (inches) at least ``base`` in which the ``labels`` fit under their ticks:
    flat side by side when that is at most ``MAX_FLAT_WIDTH`` wide, else turned a quarter (the
    figure then deepened by the labels' length)."""
    widest, deepest = _extent(labels, fontsize)
    flat = len(labels) * (widest + _PAD) / 72 + _MARGIN
    if flat <= MAX_FLAT_WIDTH:
        return max(base[0], flat), base[1]
    turned = len(labels) * (deepest + _PAD) / 72 + _MARGIN
    return max(base[0], turned), base[1] + widest / 72


def _renderer(figure: Figure) -> RendererBase:
    canvas = figure.canvas
    if not hasattr(canvas, "get_renderer"):  # a bare Figure: measure as a PNG would draw it
        canvas = FigureCanvasAgg(figure)
    return canvas.get_renderer()


def _shown(ax: Axes, renderer: RendererBase) -> list[Text]:
    ax.xaxis.get_tightbbox(renderer)  # places the ticks and their labels
    low, high = sorted(ax.get_xlim())
    return [tick.label1 for tick in ax.xaxis.get_major_ticks()
            if tick.label1.get_visible() and tick.label1.get_text()
            and low <= tick.get_loc() <= high]


def _boxes(ax: Axes) -> list[tuple[Bbox, str]]:
    """The drawn boxes of the shown x tick labels and their texts, left to right."""
    figure = ax.get_figure(root=True)
    assert figure is not None  # the axes are drawn in a figure
    renderer = _renderer(figure)
    return sorted(((t.get_window_extent(renderer), t.get_text()) for t in _shown(ax, renderer)),
                  key=lambda b: b[0].x0)


def overlapping(ax: Axes) -> list[tuple[str, str]]:
    """The pairs of x tick labels of ``ax`` whose drawn boxes overlap (by text)."""
    boxes = _boxes(ax)
    found = []
    for i, (box, text) in enumerate(boxes):
        for other, name in boxes[i + 1:]:
            if other.x0 > box.x1:  # sorted by left edge: no later box reaches back
                break
            if box.overlaps(other):
                found.append((text, name))
    return found


def fit_ticks(ax: Axes) -> bool:
    """Turn, shrink, then thin the x tick labels of ``ax`` until no two overlap at its
    current size (call again after the figure's layout changes); whether it changed them."""
    if not overlapping(ax):
        return False
    ax.tick_params(axis="x", labelrotation=90)
    ticks = ax.xaxis.get_major_ticks()
    size = float(ticks[0].label1.get_fontsize()) if ticks else 10.0
    while size > _SMALLEST and overlapping(ax):
        size = max(_SMALLEST, size * 0.8)
        ax.tick_params(axis="x", labelsize=size)
    boxes = _boxes(ax)
    if len(boxes) < 2 or not overlapping(ax):
        return True
    gap = (boxes[-1][0].x0 - boxes[0][0].x0) / (len(boxes) - 1)  # between neighbours
    step = max(2, int(np.ceil(max(b.width for b, _ in boxes) / max(gap, 1e-9))))
    while True:
        for i, tick in enumerate(ticks):
            tick.label1.set_visible(i % step == 0)
        if not overlapping(ax):
            return True
        step += 1
