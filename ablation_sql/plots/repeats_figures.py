"""The figures of repeats: a forest plot of configurations (each one's mean with its 95 % CI,
its seeds as points, the best and the baseline marked) and the rank correlation of the trials
by step with the final ranking (``effects.repeats`` and ``effects.settle`` compute them).
``draw_repeats`` writes both for one metric, as ``plot`` does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..effects import Repeats, Settle, repeats, settle
from ..errors import InputError
from ..store.connection import Connectable, connection
from ..store.sqlfiles import execute
from .output_names import FigureIndex, inside, shown
from .saving import agg_figure, save_figure

__all__ = ["MAX_CONFIGURATIONS", "draw_repeats", "forest_figure", "has_repeats",
           "settle_figure"]

MAX_CONFIGURATIONS = 30
_COLORS = {"best": "tab:red", "baseline": "tab:green", "mean, 95 % CI": "tab:blue"}


def forest_figure(result: Repeats, max_rows: int = MAX_CONFIGURATIONS,
                  label: str | None = None) -> Figure:
    """The best ``max_rows`` configurations (ranked ones first, then by mean), one row each;
    ``label``: the metric's name shown (default: its own)."""
    table = result.configurations.head(max_rows)
    used = result.data.used
    fig = agg_figure(figsize=(7.5, 1.2 + 0.32 * len(table)))
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    labelled: set[str] = set()
    for y, row in enumerate(table.itertuples()):
        seeds = used.loc[used["configuration"] == row.configuration, "value"].to_numpy()
        ax.scatter(seeds, y + rng.uniform(-0.15, 0.15, len(seeds)), s=12, color="0.55",
                   zorder=2, label="a seed" if y == 0 else None)
        kind = "best" if row.note == "best" else "baseline" if row.baseline else "mean, 95 % CI"
        label = None if kind in labelled else kind
        labelled.add(kind)
        if np.isfinite(row.ci_low):
            ax.errorbar(row.mean, y, xerr=[[row.mean - row.ci_low], [row.ci_high - row.mean]],
                        fmt="o", color=_COLORS[kind], capsize=3, zorder=3, label=label)
        else:
            ax.plot(row.mean, y, "o", mfc="white", color=_COLORS[kind], zorder=3, label=label)
    ax.set_yticks(range(len(table)),
                  [f"{r.configuration} ({r.n})" + (" baseline" if r.baseline else "")
                   + (f" {r.note}" if r.note else "") for r in table.itertuples()],
                  fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel(f"{label or shown(result.metric)} ({result.policy}; {result.direction} is "
                  "better)")
    more = len(result.configurations) - len(table)
    ax.set_title("Configurations: mean and 95 % CI over seeds (n in brackets)"
                 + (f"\nthe {len(table)} best of {len(result.configurations)}" if more else "")
                 + ("" if result.has_repeats else "\nno configuration was run with more than "
                    "one seed")
                 + ("" if result.data.baseline else "\nno configuration runs the baseline "
                    "(the master config's defaults)"), fontsize="medium")
    ax.legend(loc="best", fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def settle_figure(result: Settle, label: str | None = None) -> Figure:
    """The rank correlation with the final ranking per step (95 % CI band), the settled steps
    of the top set (dashed) and of the winner (dotted) marked, one line per experiment;
    ``label``: the metric's name shown (default: its own)."""
    fig = agg_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    name = result.method.capitalize()
    for experiment, rows in result.table.groupby("experiment_id", sort=True):
        line = ax.plot(rows["step"], rows["correlation"], marker="o",
                       label=shown(experiment))[0]
        ax.fill_between(rows["step"], rows["ci_low"], rows["ci_high"], alpha=0.2,
                        color=line.get_color())
        settled = result.settled[result.settled["experiment_id"] == experiment].iloc[0]
        for column, style, what in (("top_k_step", "--", f"top {result.top_k}"),
                                    ("winner_step", ":", "winner")):
            if pd.notna(settled[column]):
                ax.axvline(float(settled[column]), ls=style, color=line.get_color(),
                           label=f"{what} settled ({shown(experiment)})")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("step (evaluation)")
    ax.set_ylabel(f"{name} correlation with the final ranking")
    low = result.table["ci_low"].min()
    ax.set_ylim(min(0.0, float(low)) if pd.notna(low) else 0.0, 1.02)
    ax.set_title(f"When the ranking by {label or shown(result.metric)} ({result.policy}) settles "
                 "(95 % CI)\nsettled: the top set or the leader ends within the evaluation "
                 "noise of the final one", fontsize="medium")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def has_repeats(db: Connectable, experiment: str | None) -> bool:
    """Whether some configuration of ``experiment`` (None: of any) was run by more than one
    trial: only then can ``draw_repeats`` draw a forest plot."""
    return bool(execute(connection(db), "plots/plot_repeated", experiment=experiment)[0][0])


def draw_repeats(db: Connectable, out: Path, metric: str, file_name: str, *,
                 experiment: str | None, policy: str, direction: str | None, format: str,
                 repeated: bool, label: str | None = None) -> list[Path]:
    """Write ``out/repeats/<file_name>.<format>`` (when ``repeated``, ``has_repeats``'s
    answer, and some configuration has repeats) and ``out/settle/<file_name>.<format>``
    (when the trials have more than one step), recorded in ``out``'s figure index; the files
    written (none when the metric cannot be analysed: no complete trial, no direction).
    ``label``: the metric's name shown."""
    written: list[Path] = []
    try:
        found = (repeats(db, metric, experiment=experiment, policy=policy, direction=direction,
                         n_boot=200) if repeated else None)
        ranked = settle(db, metric, experiment=experiment, policy=policy, direction=direction)
    except InputError:
        return written
    index = FigureIndex(out)
    for kind, figure in (("repeats", forest_figure(found, label=label)
                          if found is not None and found.has_repeats else None),
                         ("settle", settle_figure(ranked, label)
                          if ranked.table["step"].nunique() > 1 else None)):
        if figure is not None:
            path = inside(out, kind, f"{file_name}.{format}")
            path.parent.mkdir(parents=True, exist_ok=True)
            save_figure(figure, path, format)
            index.add(f"{kind}/{file_name}.{format}", kind=kind, metric=metric, attribute=None,
                      experiment=experiment)
            written.append(path)
    if written:
        index.write()
    return written
