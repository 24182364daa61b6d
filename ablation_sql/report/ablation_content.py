"""The report's "From the baseline to the best" section: the ablation of each optimised metric
(``effects.ablation``) as sentences, tables, its waterfall figure and the top pairs' partial
dependence figures, and the trials nearest each step of the greedy path (``trials_near_path``,
read on a cursor in a second thread while the figures are drawn)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from matplotlib.figure import Figure

from ..effects.ablation import ablation, ablation_of
from ..effects.ablation_result import Ablation, Surface
from ..effects.data import TrialData
from ..errors import InputError
from ..plots.ablation_figures import surface_figure, waterfall_figure
from ..plots.output_names import FigureIndex, file_names, inside
from ..plots.saving import save_figure
from ..queries import run_query
from ..store.connection import read_beside
from .content import Table, experiment_ids

__all__ = ["MetricAblation", "metric_ablation"]

_CONTRIBUTIONS = ["attribute", "source", "target", "contribution", "ci_low", "ci_high",
                  "clear", "greedy_step", "greedy_value"]
_INTERACTIONS = ["attribute_a", "attribute_b", "share", "ci_low", "ci_high", "clear"]
_TOP = ["attribute", "share", "ci_low", "ci_high", "rank", "variance_share", "variance_rank"]
_NEAREST = ["step", "trial_uid", "distance", "value"]


@dataclass
class MetricAblation:
    """What the ablation says for one metric, ready to show (or why it could not)."""

    metric: str
    summary: str = ""
    findings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    contributions: Table = field(default_factory=lambda: Table([], []))
    interactions: Table = field(default_factory=lambda: Table([], []))
    top_quantile: Table = field(default_factory=lambda: Table([], []))
    nearest: Table = field(default_factory=lambda: Table([], []))
    waterfall: str | None = None
    surfaces: list[tuple[str, str]] = field(default_factory=list)  # (path, caption)
    error: str | None = None


def metric_ablation(con: duckdb.DuckDBPyConnection, experiment: str, metric: str, out: Path, *,
                    resamples: int = 200, seed: int = 0, trials: TrialData | None = None
                    ) -> MetricAblation:
    """The ablation of ``metric`` from the master config's defaults to the best trial, with
    its figures written under ``out/figures/<experiment>/ablation/``; ``trials``: the metric
    already read (each trial's best value), or None to read it."""
    try:
        found = (ablation(con, metric, experiment=experiment, resamples=resamples, seed=seed)
                 if trials is None else ablation_of(trials, resamples=resamples, seed=seed))
    except InputError as exc:
        return MetricAblation(metric, error=str(exc))
    order = found.contributions.sort_values("greedy_step")
    steps = [dict(found.source)]
    for r in order.itertuples():
        steps.append({**steps[-1], r.attribute: found.target.get(r.attribute)})
    with read_beside(con, run_query, "trials_near_path", metric=metric, experiment=experiment,
                     steps=json.dumps(steps, default=float)) as nearest:
        paths = _draw(found, metric, experiment, out,
                      inside(out, "figures", file_names(experiment_ids(con))[experiment]))
        near = nearest.result()  # read while the figures were drawn
    r2 = found.surrogate["cv_r2"]
    fitted = ("" if found.n_fitted == found.n_used else
              f", fitted on {found.n_fitted} of {found.n_used} trials (a seeded sample)")
    summary = (f"{found.n_used} used trials ({found.policy} value per trial); surrogate: "
               f"{found.surrogate['model']}, cross-validated R² {r2:.2f}{fitted}"
               + (" (explains little: nothing is concluded from it)" if found.explains_little
                  else "") + f"; {found.resamples} bootstrap resamples, seed {found.seed}.")
    return MetricAblation(
        metric=metric, summary=summary, findings=list(found.findings), notes=list(found.notes),
        contributions=Table.of(found.contributions, _CONTRIBUTIONS),
        interactions=Table.of(found.interactions, _INTERACTIONS),
        top_quantile=Table.of(found.top_quantile, _TOP),
        nearest=Table.of(near, _NEAREST),
        waterfall=paths["waterfall"][0],
        surfaces=[(p, f"{s.attribute_a} × {s.attribute_b}: interaction share "
                      f"{s.share:.1%}" if math.isfinite(s.share) else "")
                  for stem, (p, s) in paths.items() if s is not None],
    )


def _draw(found: Ablation, metric: str, experiment: str, out: Path, folder: Path
          ) -> dict[str, tuple[str, Surface | None]]:
    """Draw the waterfall and the pairs' surfaces under ``folder``; their paths relative to
    ``out``, by stem, each with its surface."""
    index = FigureIndex(folder)
    name = file_names([metric])[metric]
    figures: list[tuple[str, Figure, Surface | None]] = [
        ("waterfall", waterfall_figure(found), None)]
    figures += [(f"pair-{i}", surface_figure(s, metric), s)
                for i, s in enumerate(found.surfaces, start=1)]
    paths = {}
    for stem, figure, surface in figures:
        parts = ["ablation", name, f"{stem}.png"]
        path = inside(folder, *parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        save_figure(figure, path)
        index.add("/".join(parts), kind=f"ablation_{stem.split('-')[0]}", metric=metric,
                  experiment=experiment)
        paths[stem] = (path.relative_to(out).as_posix(), surface)
    index.write()
    return paths
