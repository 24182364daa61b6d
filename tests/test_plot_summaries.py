"""Tests that what the line and violin plots draw, computed in SQL (``plots.summaries``), is
what the reference libraries compute from every point: statsmodels' confidence band of the
regression line, scipy's Gaussian kernel density (Scott's bandwidth) and matplotlib's box
statistics. Checked on the numbers and on the drawn artists."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from matplotlib.cbook import boxplot_stats  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from scipy.stats import gaussian_kde  # noqa: E402

from ablation_sql.plots import axes as plots  # noqa: E402
from ablation_sql.plots.summaries import GRID, fit_line  # noqa: E402


@pytest.mark.parametrize("log", [False, True])
@pytest.mark.parametrize("n", [3, 40, 20_000])
def test_fit_band_is_statsmodels_confidence_band(n: int, log: bool) -> None:
    rng = np.random.default_rng(n)
    x = 10 ** rng.uniform(-4, -1, n) if log else rng.uniform(0, 5, n)
    y = 0.3 * np.log10(x) + rng.normal(0, 0.1, n) if log else 2 * x + rng.normal(0, 1, n)
    fit = fit_line(x, y, log)
    assert fit is not None and len(fit.x) == GRID
    fx = np.log10(x) if log else x
    model = sm.OLS(y, sm.add_constant(fx)).fit()
    grid = np.log10(fit.x) if log else fit.x
    predicted = model.get_prediction(sm.add_constant(grid))
    low, high = predicted.conf_int(alpha=0.05).T
    np.testing.assert_allclose(fit.y, predicted.predicted_mean, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(fit.low, low, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(fit.high, high, rtol=1e-6, atol=1e-9)
    assert grid.min() == pytest.approx(fx.min()) and grid.max() == pytest.approx(fx.max())


def test_no_line_from_one_point_or_one_x() -> None:
    assert fit_line(np.array([1.0]), np.array([2.0]), False) is None
    assert fit_line(np.array([1.0, 1.0, 1.0]), np.array([2.0, 3.0, 4.0]), False) is None
    two = fit_line(np.array([1.0, 2.0]), np.array([2.0, 4.0]), False)
    assert two is not None and np.isnan(two.low).all()  # a line without a band
    np.testing.assert_allclose(two.y, 2 * two.x)


def _levels_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame({
        "act": ["relu"] * 3000 + ["elu"] * 400 + ["tanh"],
        "acc": np.concatenate([rng.normal(0.7, 0.05, 3000), rng.gamma(2.0, 0.05, 400),
                               [0.5]]),
    })


def test_violins_are_scipy_kernel_densities_scaled_as_seaborn() -> None:
    frame = _levels_frame()
    ax = plots.violinplot(frame, metric="acc", attribute="act", order=["relu", "elu", "tanh"],
                          ax=Figure().subplots())
    bodies = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bodies) == 2  # the one-value level is a flat line, not a body
    densities = {}
    for level in ("relu", "elu"):
        values = frame.loc[frame["act"] == level, "acc"].to_numpy()
        support = np.linspace(values.min(), values.max(), GRID)
        densities[level] = (support, gaussian_kde(values)(support))  # Scott's rule
    peak = max(d.max() for _, d in densities.values())
    for position, (body, level) in enumerate(zip(bodies, ("relu", "elu"), strict=True)):
        outline = body.get_paths()[0].vertices
        right = outline[outline[:, 0] >= position]
        right = right[np.argsort(right[:, 1], kind="stable")]
        support, density = densities[level]
        widths = np.interp(support, right[:, 1], right[:, 0] - position)
        np.testing.assert_allclose(widths, 0.4 * density / peak, atol=2e-3 * 0.4)
    assert bodies[0].get_facecolor()[0].tolist() != bodies[1].get_facecolor()[0].tolist()


def test_violin_boxes_are_matplotlib_box_statistics() -> None:
    frame = _levels_frame()
    ax = plots.violinplot(frame, metric="acc", attribute="act", order=["relu", "elu", "tanh"],
                          ax=Figure().subplots())
    lines = [(np.asarray(line.get_xdata()), np.asarray(line.get_ydata())) for line in ax.lines]
    for position, level in enumerate(("relu", "elu")):
        stats = boxplot_stats(frame.loc[frame["act"] == level, "acc"].to_numpy())[0]
        here = [y.tolist() for x, y in lines if np.all(x == position)]
        assert here[0] == pytest.approx([stats["whislo"], stats["whishi"]])
        assert here[1] == pytest.approx([stats["q1"], stats["q3"]])
        assert here[2] == pytest.approx([stats["med"]])
    flat = [y.tolist() for x, y in lines if x.tolist() == [1.6, 2.4]]
    assert flat == [[0.5, 0.5]]
