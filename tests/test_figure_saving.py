"""plots.saving: a laid-out figure is drawn once when saved, to the same pixels as matplotlib's
own savefig draws (which draws it twice)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from ablation_sql.plots.saving import agg_figure, save_figure


def _figure(figure: Figure) -> Figure:
    ax = figure.subplots()
    ax.plot([1, 10, 100], [3, 1, 2], label="a line")
    ax.set_xscale("log")
    ax.set_xlabel("a long label of the x axis")
    ax.set_title("a title\nof two lines", wrap=True)
    ax.legend()
    figure.tight_layout()
    return figure


def _draws(figure: Figure) -> list[object]:
    drawn: list[object] = []
    figure.canvas.mpl_connect("draw_event", drawn.append)
    return drawn


@pytest.mark.parametrize("make", [agg_figure, Figure])
def test_a_laid_out_figure_is_drawn_once_to_the_same_pixels(tmp_path: Path, make) -> None:
    ours = _figure(make(figsize=(5, 3)))
    drawn = _draws(ours)
    save_figure(ours, tmp_path / "ours.png")
    assert len(drawn) == 1
    theirs = _figure(Figure(figsize=(5, 3)))
    drawn = _draws(theirs)
    theirs.savefig(tmp_path / "theirs.png")
    assert len(drawn) == 2  # matplotlib's: once to lay out, once to render
    assert np.array_equal(np.asarray(Image.open(tmp_path / "ours.png")),
                          np.asarray(Image.open(tmp_path / "theirs.png")))


def test_agg_figure_is_on_an_agg_canvas() -> None:
    figure = agg_figure(figsize=(4, 2), dpi=50)
    assert isinstance(figure.canvas, FigureCanvasAgg)
    assert tuple(figure.get_size_inches()) == (4, 2) and figure.dpi == 50


def test_figures_of_one_size_share_this_threads_renderer(tmp_path: Path) -> None:
    """One renderer per size in a thread, another in another thread; a figure saved after
    others of its size has the pixels of one saved alone on a canvas of its own."""
    first = _figure(agg_figure(figsize=(5, 3)))
    save_figure(first, tmp_path / "first.png")
    other = agg_figure(figsize=(5, 3))
    other.subplots().plot([0, 1], [1, 0], color="C3")
    save_figure(other, tmp_path / "other.png")
    again = _figure(agg_figure(figsize=(5, 3)))
    save_figure(again, tmp_path / "again.png")
    alone = _figure(Figure(figsize=(5, 3)))
    FigureCanvasAgg(alone)
    save_figure(alone, tmp_path / "alone.png")
    renderer = first.canvas.get_renderer()
    assert other.canvas.get_renderer() is renderer is again.canvas.get_renderer()
    assert agg_figure(figsize=(4, 3)).canvas.get_renderer() is not renderer
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(lambda: agg_figure(figsize=(5, 3)).canvas.get_renderer()
                           ).result() is not renderer
    pixels = {name: np.asarray(Image.open(tmp_path / f"{name}.png"))
              for name in ("first", "other", "again", "alone")}
    assert np.array_equal(pixels["again"], pixels["alone"])
    assert np.array_equal(pixels["first"], pixels["alone"])
    assert not np.array_equal(pixels["other"], pixels["alone"])
