"""The ablation's figures: the waterfall of contributions from the source to the target with
their 95 % intervals, and a pair's 2-D partial dependence."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from ..effects.ablation_result import Ablation, Surface
from ..store.numbers import number
from .output_names import shown
from .saving import agg_figure

__all__ = ["surface_figure", "waterfall_figure"]

_BETTER, _WORSE = "#2a9d8f", "#e76f51"


def waterfall_figure(result: Ablation) -> Figure:
    """Bars from the source's predicted value through each attribute's contribution (largest
    first, with its interval as an error bar) to the target's."""
    table = result.contributions
    start = result.predicted_source
    labels = ["source"] + [f"{shown(a.rsplit('.', 1)[-1])}\n{s} → {t}"
                           for a, s, t in zip(table["attribute"], table["source"],
                                              table["target"], strict=True)] + ["target"]
    fig = agg_figure(figsize=(max(6.0, 1.4 * len(labels) + 1), 4.8))
    ax = fig.subplots()
    level = start
    ax.bar(0, start, color="#8d99ae")
    for i, r in enumerate(table.itertuples(), start=1):
        good = (r.contribution > 0) == (result.direction == "max")
        ax.bar(i, r.contribution, bottom=level, color=_BETTER if good else _WORSE,
               alpha=1.0 if r.clear else 0.45)
        if math.isfinite(r.ci_low):
            top = level + r.contribution
            ax.errorbar(i, top, yerr=[[top - (level + r.ci_low)], [(level + r.ci_high) - top]],
                        color="black", capsize=4, lw=1)
        level += r.contribution
    ax.bar(len(labels) - 1, level, color="#8d99ae")
    values = [start, level, *(start + np.cumsum(table["contribution"]))]
    span = max(values) - min(values) or abs(start) or 1.0
    ax.set_ylim(min(values) - 0.6 * span, max(values) + 0.4 * span)
    ax.set_xticks(range(len(labels)), labels, fontsize="small")
    ax.set_ylabel(f"predicted {shown(result.metric)}")
    r2 = f"surrogate CV R² {result.surrogate['cv_r2']:.2f}" + (
        "" if result.n_fitted == result.n_used
        else f", fitted on {result.n_fitted:,} of {result.n_used:,} trials")
    how = (f"{r2} explains little: no intervals, no conclusion" if result.explains_little
           else f"95 % intervals ({result.resamples} refits); {r2}")
    ax.set_title(f"From {result.source_label} to {result.target_label}\n"
                 f"Shapley contributions, {how}", fontsize="medium", wrap=True)
    fig.tight_layout()
    return fig


def surface_figure(surface: Surface, metric: str) -> Figure:
    """The pair's predicted metric: one line per value of the other attribute against the
    numerical one, or a grid of cells for two categorical attributes."""
    fig = agg_figure(figsize=(7, 4.5))
    ax = fig.subplots()
    a, b = surface.attribute_a, surface.attribute_b
    values, grid_a, grid_b, logged = surface.values, surface.grid_a, surface.grid_b, \
        surface.logged_a
    if not _numbers(grid_a) and _numbers(grid_b):
        a, b, grid_a, grid_b, values, logged = b, a, grid_b, grid_a, values.T, False
    if _numbers(grid_a):
        for j, level in enumerate(grid_b):
            label = number(level) if isinstance(level, float) else shown(str(level))
            ax.plot(grid_a, values[:, j], marker="o", label=label)
        ax.set_xscale("log" if logged else "linear")
        ax.set_xlabel(shown(a))
        ax.set_ylabel(f"predicted {shown(metric)}")
        ax.legend(title=shown(b.rsplit(".", 1)[-1]), fontsize="small")
    else:
        image = ax.imshow(values, cmap="viridis", aspect="auto")
        ax.set_xticks(range(len(grid_b)), [shown(str(v)) for v in grid_b])
        ax.set_yticks(range(len(grid_a)), [shown(str(v)) for v in grid_a])
        ax.set_xlabel(shown(b))
        ax.set_ylabel(shown(a))
        fig.colorbar(image, ax=ax, label=f"predicted {shown(metric)}")
    ax.set_title(f"{shown(a.rsplit('.', 1)[-1])} × {shown(b.rsplit('.', 1)[-1])}: partial "
                 f"dependence of the surrogate\ninteraction share {surface.share:.1%}",
                 fontsize="medium")
    fig.tight_layout()
    return fig


def _numbers(values: list) -> bool:
    return all(isinstance(v, float) for v in values)
