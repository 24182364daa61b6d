"""Honest conclusions from an experiment: effects of each attribute on a metric, with CIs.

``effects(db, metric)`` (or ``Database.effects``) returns an ``Effects``: marginal and
adjusted effects, importance, confounding, reduction sensitivity, baseline-relative effects and
findings in words. ``load_trials`` gives the trials it analyses as a ``TrialData``.
"""

from .analysis import effects
from .data import TrialData, load_trials
from .result import Effects

__all__ = ["Effects", "TrialData", "effects", "load_trials"]
