"""The report's figures: drawn from SQL query results and saved beside the page.

Per experiment, under ``figures/<experiment>/``, every figure over the complete trials (as the
rest of the page): PlotAnalysis's line and violin plots (one point per trial, its best value by
the metric's direction; unchanged figures are kept, see ``PlotAnalysis(cache=True)``), a
parallel-coordinates figure per metric, and one learning-curve figure per metric and attribute,
drawn from the ``learning_curves`` named query (mean and 95 % CI per level and step; numerical
attributes in the quantile bins the effects use).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ..analysis.plot import PlotAnalysis
from ..database import Database
from .content import BINNING, TRIAL_SET, ExperimentContent

__all__ = ["draw_figures"]


def draw_figures(db: Database, content: ExperimentContent, out: Path) -> None:
    """Draw every figure of ``content``'s experiment under ``out`` and record each one's path
    (relative to ``out``) in ``content``."""
    folder = Path("figures") / content.experiment_id
    if not content.metrics:
        return
    analysis = PlotAnalysis(db, save_dir=out / folder, cache=True,
                            optim_metrics=content.metrics, experiment=content.experiment_id,
                            statuses=(TRIAL_SET,))
    analysis.make_figures()
    attributes = analysis.numerical_attributes + analysis.categorical_attributes
    analysis.make_parallel_figures(
        attribute_name_remap={a: a.rsplit(".", 1)[-1] for a in attributes},
        figsize=(max(7.0, 1.6 * len(attributes) + 2), 5))
    content.parallel = {m: (folder / "parallel" / f"{m}.png").as_posix()
                        for m in content.metrics}
    for attribute in content.attributes:
        if attribute.name in analysis.numerical_attributes:
            kind = "linearplot"
        elif attribute.name in analysis.categorical_attributes:
            kind = "violinplot"
        else:
            continue
        for metric in content.metrics:
            attribute.figures[metric] = (folder / kind / metric / f"{attribute.name}.png"
                                         ).as_posix()
            curves = db.query("learning_curves", metric=metric, attribute=attribute.name,
                              experiment=content.experiment_id, status=TRIAL_SET,
                              binning=BINNING)
            path = folder / "learning_curves" / metric / f"{attribute.name}.png"
            (out / path).parent.mkdir(parents=True, exist_ok=True)
            _curves_figure(curves, metric=metric, attribute=attribute.name).savefig(out / path)
            attribute.curves[metric] = path.as_posix()


def _curves_figure(curves: pd.DataFrame, *, metric: str, attribute: str) -> Figure:
    """The mean of ``metric`` per step, one line per level of ``attribute``, with its CI band."""
    fig = Figure(figsize=(7, 4.5))
    ax = fig.subplots()
    for i, level in enumerate(dict.fromkeys(curves["level"].dropna())):  # the query's order
        rows = curves[curves["level"] == level]
        ax.plot(rows["step"], rows["mean"], color=f"C{i % 10}", label=level)
        ax.fill_between(rows["step"], rows["ci_low"].astype(float),
                        rows["ci_high"].astype(float), color=f"C{i % 10}", alpha=0.2,
                        linewidth=0)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    trials = int(curves.groupby("level")["n"].max().sum()) if len(curves) else 0
    ax.set_title(f"{metric} per step (mean, 95 % CI)\ntrials: {trials} {TRIAL_SET}",
                 fontsize="medium")
    if len(curves):
        ax.legend(title=attribute, fontsize="small")
    fig.tight_layout()
    return fig
