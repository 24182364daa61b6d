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
"""

from .data import TrialData, load_trials
from .estimate import effects
from .repeat_result import Comparison, Repeats, compare, repeats
from .result import Effects
from .settle import Settle, settle

__all__ = ["Comparison", "Effects", "Repeats", "Settle", "TrialData", "compare", "effects",
           "load_trials", "repeats", "settle"]
