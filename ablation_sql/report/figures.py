"""The report's figures: drawn from SQL query results and saved beside the page.

Per experiment, under ``figures/<experiment>/``, every figure over the complete trials (as the
rest of the page): PlotAnalysis's line and violin plots (one point per trial, its best value by
the metric's direction; unchanged figures are kept, see ``PlotAnalysis(cache=True)``), a
parallel-coordinates figure per metric, and one learning-curve figure per metric and attribute,
drawn from the ``learning_curves`` named query (mean and 95 % t-interval per level and step, as
``plots.learning_curve`` draws it: ``plots.curves``; numerical attributes in the quantile bins
the effects use).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
from matplotlib.figure import Figure

from ..plots.analysis import PlotAnalysis
from ..plots.curves import draw_curves
from ..plots.output_names import FigureIndex, file_names, inside, shown
from ..plots.saving import agg_figure, save_figure
from ..queries import run_query
from ..store.connection import read_beside
from .content import BINNING, TRIAL_SET, ExperimentContent, experiment_ids

__all__ = ["draw_figures"]


def draw_figures(con: duckdb.DuckDBPyConnection, content: ExperimentContent, out: Path) -> None:
    """Draw every figure of ``content``'s experiment under ``out`` and record each one's path
    (relative to ``out``) in ``content``. File and folder names come from
    ``output_names.file_names``; ``figures.json`` in the experiment's folder maps each file to
    its real names."""
    folder = inside(out, "figures", file_names(experiment_ids(con))[content.experiment_id])
    if not content.metrics:
        return
    analysis = PlotAnalysis(con, save_dir=folder, cache=True,
                            optim_metrics=content.metrics, experiment=content.experiment_id,
                            statuses=(TRIAL_SET,))
    attributes = analysis.numerical_attributes + analysis.categorical_attributes
    # the learning curves are read (SQL, the GIL released) while the other figures are drawn
    with read_beside(con, _learning_curves, content) as reading:
        with analysis.reading_once():
            analysis.make_figures()
            analysis.make_parallel_figures(
                attribute_name_remap={a: a.rsplit(".", 1)[-1] for a in attributes},
                figsize=(max(7.0, 1.6 * len(attributes) + 2), 5))
        curves_of = reading.result()
    content.parallel = {m: _relative(analysis.files[("parallel", m, None)], out)
                        for m in content.metrics if ("parallel", m, None) in analysis.files}
    metric_files = file_names(content.metrics)
    attribute_files = file_names(a.name for a in content.attributes)
    index = FigureIndex(folder)
    for attribute in content.attributes:
        if attribute.name in analysis.numerical_attributes:
            kind = "linearplot"
        elif attribute.name in analysis.categorical_attributes:
            kind = "violinplot"
        else:
            continue
        for metric in content.metrics:
            attribute.figures[metric] = _relative(analysis.files[(kind, metric, attribute.name)],
                                                  out)
            curves = curves_of[metric]
            curves = curves[curves["attribute"] == attribute.name]
            parts = ["learning_curves", metric_files[metric],
                     f"{attribute_files[attribute.name]}.png"]
            path = inside(folder, *parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            save_figure(_curves_figure(curves, metric=metric, attribute=attribute.name), path)
            index.add("/".join(parts), kind="learning_curves", metric=metric,
                      attribute=attribute.name, experiment=content.experiment_id)
            attribute.curves[metric] = _relative(path, out)
    index.write()


def _learning_curves(con: duckdb.DuckDBPyConnection,
                     content: ExperimentContent) -> dict[str, pd.DataFrame]:
    """Each metric's ``learning_curves`` rows, every attribute's, from one query (the trials'
    levels found once for every metric)."""
    every = run_query(con, "learning_curves", metric=list(content.metrics),
                      experiment=content.experiment_id, status=TRIAL_SET, binning=BINNING)
    return {metric: every[every["metric"] == metric].drop(columns="metric")
            for metric in content.metrics}


def _relative(path: Path, out: Path) -> str:
    """``path`` relative to the page's folder, as the page links it."""
    return path.relative_to(out).as_posix()


def _curves_figure(curves: pd.DataFrame, *, metric: str, attribute: str) -> Figure:
    """The mean of ``metric`` per step, one line per level of ``attribute``, with its CI band."""
    fig = agg_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    draw_curves(ax, curves, title=shown(attribute), label=shown)  # in the query's order
    ax.set_xlabel("step")
    ax.set_ylabel(shown(metric))
    trials = int(curves.groupby("level")["n"].max().sum()) if len(curves) else 0
    ax.set_title(f"{shown(metric)} per step (mean, 95 % CI)\ntrials: {trials} {TRIAL_SET}",
                 fontsize="medium", wrap=True)
    fig.tight_layout()
    return fig
