"""Honest conclusions from an experiment: effects of each attribute on a metric, with CIs.

``effects(db, metric)`` (or ``Database.effects``) returns an ``Effects``: marginal and
adjusted effects, importance, confounding, reduction sensitivity, baseline-relative effects and
findings in words; ``Effects.render(format)`` is the text ``ablation-sql effects`` prints
(``text``). ``load_trials`` gives the trials it analyses as a ``TrialData``.
``estimate`` assembles the analysis from its parts. ``ablation.ablation`` (or
``Database.ablation``) goes from a baseline to the best on a surrogate (surrogate.py): Shapley
contributions, interactions and top-quantile importance, with bootstrap intervals. Takes a
store connection (or an object holding one as ``.con``, such as ``Database``); may import
``ablation_sql.queries``, ``ingest``, ``store`` and ``errors``.

``effects`` and ``Effects`` are imported when first used (their models import statsmodels), so
that the repeats and settling, and the figures, load without it.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .data import TrialData, load_trials
from .repeat_result import Comparison, Repeats, compare, repeats
from .settle import Settle, settle

if TYPE_CHECKING:
    from .estimate import effects
    from .result import Effects

_LAZY = {"effects": "estimate", "Effects": "result"}  # name -> its module (no submodule's name)

__all__ = ["Comparison", "Effects", "Repeats", "Settle", "TrialData", "compare", "effects",
           "load_trials", "repeats", "settle"]


def __getattr__(name: str) -> Any:
    """``effects`` and ``Effects``, imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
    globals()[name] = value
    return value
