"""What the line and violin plots draw, computed in SQL over the figure's rows: the regression
line with its 95 % band (``fit_line``, from ``sql/plot_fit.sql``'s sums) and each level's
violin (``level_summaries``: counts, mean, best, quartiles, whiskers from
``sql/plot_levels.sql``, and the kernel density from ``sql/plot_level_bins.sql``'s bins).

The rows (already cleaned: finite values) are registered as the view ``plot_rows`` of a
cursor of a private in-memory DuckDB database (opened once per process), whatever they came
from (a database or a DataFrame)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import duckdb
import numpy as np
import pandas as pd
from scipy.special import stdtrit

from ..store.sqlfiles import fetch

__all__ = ["BINS", "GRID", "Fit", "fit_line", "level_summaries"]

BINS = 1024  # bins per level the kernel density is computed from
GRID = 100  # points of each violin's outline (seaborn's gridsize)


@dataclass(frozen=True)
class Fit:
    """The least-squares line on ``GRID`` points of x (on log10 x when fitted so) and its
    95 % confidence band; ``x`` in the data's own units."""

    x: np.ndarray
    y: np.ndarray
    low: np.ndarray
    high: np.ndarray


@cache
def _database() -> duckdb.DuckDBPyConnection:
    """The private in-memory database (opening one costs more than the queries on it)."""
    return duckdb.connect()


def _run(rows: pd.DataFrame, file: str, **params: object) -> pd.DataFrame:
    with _database().cursor() as con:  # a cursor of its own: its view is its alone
        con.register("plot_rows", rows)
        return fetch(con, f"plots/{file}", **params)


def fit_line(x: np.ndarray, y: np.ndarray, log: bool) -> Fit | None:
    """The line of ``y`` on ``x`` and its band (t-interval of the mean response, as seaborn's
    regplot draws it; none from 2 points); None with fewer than 2 points or a single x."""
    sums = _run(pd.DataFrame({"x": x, "y": y}), "plot_fit", log=log).iloc[0]
    n = int(sums["n"])
    if n < 2 or not sums["sxx"] > 0:
        return None
    slope = sums["sxy"] / sums["sxx"]
    intercept = sums["mean_y"] - slope * sums["mean_x"]
    grid = np.linspace(sums["low"], sums["high"], GRID)
    half = np.full(GRID, np.nan)
    if n > 2:
        residual = max(sums["syy"] - slope * sums["sxy"], 0.0) / (n - 2)
        half = stdtrit(n - 2, 0.975) * np.sqrt(residual * (1 / n + (grid - sums["mean_x"]) ** 2
                                                           / sums["sxx"]))
    line = intercept + slope * grid
    return Fit(10**grid if log else grid, line, line - half, line + half)


def level_summaries(levels: pd.Series, values: pd.Series, direction: str
                    ) -> tuple[pd.DataFrame, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Per level (rows of ``plot_levels``, indexed by level) and each level's density
    outline (support, density): a Gaussian kernel density with Scott's bandwidth, cut at the
    level's min and max (seaborn's violins), computed from ``BINS`` bins per level. A level
    of one value or no spread has no outline."""
    rows = pd.DataFrame({"level": levels.to_numpy(str), "y": values.to_numpy(float)})
    table = _run(rows, "plot_levels", direction=direction).set_index("level")
    bins = _run(rows, "plot_level_bins", bins=BINS)
    outlines = {}
    for level, counts in bins.groupby("level", sort=False):
        row = table.loc[level]
        if row["n"] < 2 or not row["std"] > 0:
            continue
        width = row["std"] * row["n"] ** -0.2  # Scott's rule, as scipy's gaussian_kde
        support = np.linspace(row["low"], row["high"], GRID)
        weights = counts["n"].to_numpy(float)
        z = (support[:, None] - counts["centre"].to_numpy(float)[None, :]) / width
        density = (np.exp(-0.5 * z**2) @ weights) / (row["n"] * width * np.sqrt(2 * np.pi))
        outlines[str(level)] = (support, density)
    return table, outlines
