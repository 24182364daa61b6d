"""The ablation's findings in words: the predicted change and each attribute's contribution,
the greedy order, the clear interactions, and what matters for reaching the top.

Nothing read from the surrogate is concluded when it explains little (``Surrogate.guard``);
the top-quantile importance needs no model and is always stated. A contribution or a
conditional change is called clear only when its 95 % interval excludes zero.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ablation_intervals import refit_ci
from .data import TrialData
from .findings import number
from .interactions import InteractionPlan, conditional_changes
from .names import short_names
from .surrogate import Surrogate

__all__ = ["FEW_TOP", "findings"]

FEW_TOP = 10  # fewer top trials: the top-quantile shares are said to be rough


def findings(data: TrialData, model: Surrogate, result: dict[str, Any], pairs: InteractionPlan,
             predictions: np.ndarray) -> list[str]:
    """The sentences of an ablation (``result``: the Ablation's fields but the findings;
    ``predictions``: the pairs' configurations by the full model then each resample's)."""
    names = short_names(data.attributes)
    out = [model.guard()] if model.explains_little else _contributions(data, model, result,
                                                                        names)
    if not model.explains_little:
        for r in result["interactions"].itertuples():
            if r.clear:
                out.append(_interaction(data, pairs, predictions, r, names))
    out.append(_top(data, result, names))
    return out


def _contributions(data: TrialData, model: Surrogate, result: dict[str, Any],
                   names: dict[str, str]) -> list[str]:
    table = result["contributions"]
    est, low, high = result["predicted_change"]
    how = "exact Shapley values" if result["exact"] else "sampled Shapley values"
    fitted = ("" if result["n_fitted"] == result["n_used"] else
              f", fitted on {result['n_fitted']} of {result['n_used']} trials")
    head = (f"From {result['source_label']} to {result['target_label']}, the surrogate "
            f"({model.name}, cross-validated R² {model.cv_r2:.2f}{fitted}) predicts "
            f"{data.metric} "
            f"{number(est, sign=True)} (95 % CI {number(low)} to {number(high)}).")
    if table.empty:
        return [head + " No attribute differs."]
    parts = []
    for r in table.itertuples():
        interval = f"95 % CI {number(r.ci_low)} to {number(r.ci_high)}"
        what = (f"{number(r.contribution, sign=True)} ({interval})" if r.clear else
                f"no clear contribution ({number(r.contribution, sign=True)}, {interval} "
                "spans zero)")
        parts.append(f"{names[r.attribute]} {r.source} → {r.target}: {what}")
    order = table.sort_values("greedy_step")["attribute"].map(names)
    return [head + f" Each attribute's part of it ({how}, adding up to the change): "
            + "; ".join(parts) + ".",
            "A step-by-step (greedy) ablation would change " + ", then ".join(order)
            + "; its steps depend on that order, the contributions above do not."]


def _interaction(data: TrialData, pairs: InteractionPlan, predictions: np.ndarray, r: Any,
                 names: dict[str, str]) -> str:
    pair = (r.attribute_a, r.attribute_b)
    share = (f"{names[pair[0]]} × {names[pair[1]]} holds {r.share:.0%} of the predicted "
             f"variance beyond their separate effects (95 % CI {r.ci_low:.0%} to "
             f"{r.ci_high:.0%})")
    numerical = [a for a in pair if a in data.numerical]
    if not numerical:
        return f"Interaction: {share}."
    name = numerical[0]
    other = pair[1] if name == pair[0] else pair[0]
    grid = pairs.grids[name].values
    parts = []
    for level, change in conditional_changes(pairs, pair, name, predictions):
        low, high = refit_ci(change[0], change[1:])
        interval = (f"{number(float(change[0]), sign=True)} {data.metric} from "
                    f"{number(grid[0])} to {number(grid[-1])}, "
                    f"95 % CI {number(float(low))} to {number(float(high))}")
        at = f"{names[other]} {number(level)}" if isinstance(level, float) else str(level)
        if low > 0 or high < 0:
            better = (low > 0) == (data.direction == "max")
            parts.append(f"higher is {'better' if better else 'worse'} with {at} ({interval})")
        else:
            parts.append(f"no clear effect with {at} ({interval})")
    return f"{names[name]}: " + ", ".join(parts) + f"; {share}."


def _top(data: TrialData, result: dict[str, Any], names: dict[str, str]) -> str:
    table = result["top_quantile"].sort_values("rank")
    n_top = max(1, int(np.ceil(result["top"] * result["n_used"])))
    parts = [f"{names[r.attribute]} {r.share:.2f} (95 % CI {r.ci_low:.2f} to {r.ci_high:.2f})"
             for r in table.itertuples()]
    text = (f"For reaching the best {result['top']:.0%} of the used trials ({n_top}), the "
            f"attributes' shares of importance (top-quantile, no model): " + "; ".join(parts)
            + ".")
    if n_top < FEW_TOP:
        text += f" With {n_top} trials in the top these shares are rough."
    variance = table.dropna(subset=["variance_rank"]).sort_values("variance_rank")
    if len(variance) == len(table) and list(variance["attribute"]) != list(table["attribute"]):
        text += (" Their order differs from that of the variance shares ("
                 + ", ".join(names[a] for a in variance["attribute"]) + ").")
    return text
