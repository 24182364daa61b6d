"""Tests that figures stay readable at any number of levels and of trials: category tick
labels never overlap (measured on the drawn labels' boxes), scatter plots turn to a density
above ``DENSITY_ABOVE`` points, parallel coordinates colour only the best share above
``PARALLEL_ABOVE`` lines. Checked through the artists drawn.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PathCollection, PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ablation_sql import PlotAnalysis  # noqa: E402
from ablation_sql.plots import axes as plots  # noqa: E402
from ablation_sql.plots.tick_labels import overlapping, wrap_name  # noqa: E402


def _levels(count: int, length: int) -> list[str]:
    """``count`` distinct names of ``length`` characters (at least 3 past 26 names), words of
    varied lengths."""
    filler = "relu_leakyRelu elu-gelu tanh sigmoid softplus mish swish hardtanh " * 2
    first = [chr(ord("a") + i) if count <= 26 else f"{i:03d}" for i in range(count)]
    return [(name + filler)[:max(length, len(name))] for name in first]


def _frame(levels: list[str], per: int = 12, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    act = np.repeat(levels, per)
    return pd.DataFrame({"trial_uid": [str(i) for i in range(len(act))], "act": act,
                         "acc": rng.normal(0.7, 0.05, len(act)),
                         "lr": rng.uniform(1e-4, 1e-1, len(act))})


def _note(ax) -> str:
    return next(t.get_text() for t in ax.texts if t.get_text().startswith("n = "))


@pytest.mark.parametrize("count", [2, 6, 20])
@pytest.mark.parametrize("length", [1, 8, 30, 80])
def test_violin_tick_labels_never_overlap(count: int, length: int) -> None:
    levels = _levels(count, length)
    analysis = PlotAnalysis(_frame(levels), optim_metrics={"acc": "max"},
                            categorical_attributes=["act"])
    ax = analysis.figure("acc", "act").axes[0]
    assert overlapping(ax) == []
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_visible()]
    assert len(shown) == count  # the figure was made wide enough: no label thinned out
    assert [s.split("\n", 2)[2] for s in shown] == [wrap_name(n) for n in levels]
    assert all(len(line) <= 20 for s in shown for line in s.split("\n")[2:])
    # the labels lie inside the figure
    renderer = ax.figure.canvas.get_renderer()
    page = ax.figure.bbox
    for label in ax.get_xticklabels():
        box = label.get_window_extent(renderer)
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1 and box.y0 >= page.y0 - 1


def test_six_long_levels_widen_the_figure() -> None:
    fig = PlotAnalysis(_frame(_levels(6, 80)), optim_metrics={"acc": "max"},
                       categorical_attributes=["act"]).figure("acc", "act")
    short = PlotAnalysis(_frame(_levels(6, 4)), optim_metrics={"acc": "max"},
                         categorical_attributes=["act"]).figure("acc", "act")
    assert fig.get_figwidth() > short.get_figwidth() >= 7


@pytest.mark.parametrize("count", [6, 20, 200])
def test_axes_level_violins_on_a_small_axes_never_overlap(count: int) -> None:
    ax = Figure(figsize=(4, 3)).subplots()
    plots.violinplot(_frame(_levels(count, 40), per=3), metric="acc", attribute="act", ax=ax)
    assert overlapping(ax) == []
    assert sum(t.get_visible() for t in ax.get_xticklabels()) >= 1


def test_overlap_is_detected() -> None:
    ax = Figure(figsize=(3, 3)).subplots()
    ax.set_xticks(range(6), ["a long label " * 3] * 6)
    assert len(overlapping(ax)) >= 5


def _scatter(n: int, status: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    lr = 10 ** rng.uniform(-4, -1, n)
    frame = pd.DataFrame({"lr": lr, "acc": 0.8 - 0.05 * np.log10(lr) * -1
                          + rng.normal(0, 0.02, n)})
    if status:
        frame["status"] = np.where(np.arange(n) % 50 == 0, "failed", "complete")
    return frame


def test_scatter_below_the_threshold_stays_points() -> None:
    n = plots.DENSITY_ABOVE
    ax = plots.lineplot(_scatter(n), metric="acc", attribute="lr", log=True,
                        ax=Figure().subplots())
    assert not [c for c in ax.collections if type(c) is PolyCollection]
    points = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points[0].get_offsets()) == n
    assert _note(ax) == f"n = {n}"


def test_scatter_above_the_threshold_is_a_density_with_the_fit_on_top() -> None:
    n = plots.DENSITY_ABOVE + 200  # 104 failed: 5,096 complete trials, above the threshold
    ax = plots.lineplot(_scatter(n, status=True), metric="acc", attribute="lr", log=True,
                        status="status", ax=Figure().subplots())
    complete = n - len(range(0, n, 50))
    (cells,) = [c for c in ax.collections if type(c) is PolyCollection
                and len(c.get_offsets()) > 1]
    assert cells.get_array().sum() == complete  # every complete trial counted in a hexagon
    assert ax.get_xscale() == "log"
    fit = [line for line in ax.lines if len(line.get_xdata()) > 2]
    assert fit and fit[0].get_zorder() >= cells.get_zorder()
    scattered = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert sorted(len(c.get_offsets()) for c in scattered) == [1, n - complete]  # best, failed
    assert _note(ax) == (f"n = {n}; density of {complete:,} trials (hexbin, above "
                         f"{plots.DENSITY_ABOVE:,} points)")
    assert any("failed" in t.get_text() for t in ax.get_legend().get_texts())


def test_dense_fit_is_the_least_squares_line_inside_its_band() -> None:
    frame = _scatter(plots.DENSITY_ABOVE + 1)
    ax = plots.lineplot(frame, metric="acc", attribute="lr", log=True, ax=Figure().subplots())
    (fit,) = [line for line in ax.lines if len(line.get_xdata()) > 2]
    x, y = np.asarray(fit.get_xdata()), np.asarray(fit.get_ydata())
    slope, intercept = np.polyfit(np.log10(frame.lr), frame.acc, 1)
    np.testing.assert_allclose(y, intercept + slope * np.log10(x), rtol=1e-9)
    assert x.min() == pytest.approx(frame.lr.min()) and x.max() == pytest.approx(frame.lr.max())
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)
               and c is not ax.collections[0]]
    edges = band.get_paths()[0].vertices
    for xi, yi in zip(x[::10], y[::10], strict=True):
        at = edges[np.isclose(edges[:, 0], xi)][:, 1]
        assert at.min() < yi < at.max()  # the line inside its 95 % band, which has a width


def _parallel(n: int, direction: str = "max", status: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.choice(["x", "y"], n),
                          "acc": rng.permutation(n).astype(float)})
    if status:
        frame["status"] = np.where(np.arange(n) % 10 == 0, "failed", "complete")
    return frame


def _collections(ax) -> list[LineCollection]:
    return [c for c in ax.collections if isinstance(c, LineCollection)]


def test_parallel_below_the_threshold_draws_every_line_in_colour() -> None:
    n = plots.PARALLEL_ABOVE
    ax = plots.parallel_coordinates(_parallel(n), metric="acc", attributes=["a", "b"],
                                    ax=Figure().subplots())
    (lines,) = _collections(ax)
    assert len(lines.get_segments()) == n
    assert _note(ax) == f"n = {n}"


@pytest.mark.parametrize("direction", ["max", "min"])
def test_parallel_above_the_threshold_colours_the_best_share(direction: str) -> None:
    n = 40_000
    ax = plots.parallel_coordinates(_parallel(n, status=True), metric="acc",
                                    attributes=["a", "b"], direction=direction,
                                    status="status", ax=Figure().subplots())
    grey, coloured = _collections(ax)
    best = min(int(np.ceil(plots.BEST_SHARE * n)), plots.BEST_LINES)
    assert best == plots.BEST_LINES < plots.BEST_SHARE * n  # the cap applies at 40,000
    assert len(coloured.get_segments()) == best
    values = np.sort(coloured.get_array())
    expected = np.arange(n - best, n) if direction == "max" else np.arange(best)
    assert values.tolist() == expected.tolist()  # acc is a permutation of 0..n-1
    assert len(grey.get_segments()) == plots.GREY_LINES
    assert coloured.get_zorder() >= grey.get_zorder() and grey.get_array() is None
    assert any(_dashed(grey)) and any(_dashed(coloured)) and not all(_dashed(coloured))
    assert _note(ax) == (f"n = {n:,}".replace(",", "") + f"; best {best:,} of {n:,} drawn in "
                         f"colour; {plots.GREY_LINES:,} of the other {n - best:,} (a random "
                         "sample) in grey")


def test_parallel_colours_the_best_share_below_the_cap() -> None:
    n = 10_000  # 5 %: 500 lines, fewer than BEST_LINES
    ax = plots.parallel_coordinates(_parallel(n), metric="acc", attributes=["a", "b"],
                                    ax=Figure().subplots())
    _, coloured = _collections(ax)
    assert len(coloured.get_segments()) == int(np.ceil(plots.BEST_SHARE * n)) < plots.BEST_LINES
    assert np.sort(coloured.get_array()).tolist() == list(range(n - 500, n))


def _dashed(lines: LineCollection) -> list[bool]:
    return [dashes is not None for _, dashes in lines.get_linestyles()]


def test_parallel_sample_is_seeded() -> None:
    def grey():
        ax = plots.parallel_coordinates(_parallel(10_000), metric="acc", attributes=["a", "b"],
                                        ax=Figure().subplots())
        return np.asarray(_collections(ax)[0].get_segments())

    assert np.array_equal(grey(), grey())
