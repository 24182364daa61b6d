"""The planted model as a function, its known baseline, and the interaction option.

``planted_metric(values)`` is the noise-free val_accuracy a configuration reaches at its last
epoch (what the ``last`` reduction of a complete trial measures, before noise), so the exact
Shapley contributions of the planted model between two configurations can be computed.
``baseline`` is the configuration the master config declares (its defaults). With
``interaction`` the learning rate's effect changes sign with the activation: its slope per
log10 unit is ``SLOPES[LR]`` (-0.05) under relu and leakyRelu and ``SLOPES[LR] +
INTERACTION_SLOPE`` (+0.05) under elu; under the optimizer subspace it acts, as lr does, only
in the adam branch.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import permutations
from typing import Any

import numpy as np

from .model import (
    ACT,
    BASE_ACCURACY,
    BRANCH_OFFSETS,
    CHANCE,
    LR,
    NF1,
    NF2,
    OFFSETS,
    OPT,
    REFERENCE,
    SLOPES,
    Simulation,
    _shifted,
)

__all__ = ["INTERACTION", "INTERACTION_SLOPE", "add_interaction", "baseline", "planted_metric",
           "planted_shapley"]

INTERACTION = (LR, ACT, "elu")  # lr's slope is changed where activation is elu
INTERACTION_SLOPE = 0.10  # per log10 unit of lr, added to SLOPES[LR]
FINAL_PROGRESS = 1.0 - math.exp(-4.0)  # the learning curve's progress at the last epoch


def baseline(subspace: bool = False) -> dict[str, Any]:
    """The master config's values of the searched attributes (the ablation's baseline)."""
    values: dict[str, Any] = {NF1: REFERENCE[NF1], NF2: REFERENCE[NF2], LR: REFERENCE[LR],
                              ACT: "relu"}
    return values | ({OPT: "adam"} if subspace else {})


def _lr_term(values: Mapping[str, Any], interaction: bool) -> float:
    """lr's planted effect (0 under sgd, whose lr is fixed: its branch offset instead)."""
    if values.get(OPT) == "sgd":
        return BRANCH_OFFSETS["sgd"]
    slope = SLOPES[LR] + (INTERACTION_SLOPE if interaction and values[ACT] == "elu" else 0.0)
    return slope * (math.log10(float(values[LR])) - math.log10(REFERENCE[LR]))


def planted_metric(values: Mapping[str, Any], *, interaction: bool = False) -> float:
    """The noise-free last-epoch val_accuracy of a configuration (attribute name to value,
    as in ``Truth.configs``; an ``OPT`` entry names the optimizer branch)."""
    asymptote = (BASE_ACCURACY
                 + SLOPES[NF1] * (float(values[NF1]) - REFERENCE[NF1])
                 + SLOPES[NF2] * (float(values[NF2]) - REFERENCE[NF2])
                 + _lr_term(values, interaction) + OFFSETS[values[ACT]])
    return CHANCE + (asymptote - CHANCE) * FINAL_PROGRESS


def planted_shapley(source: Mapping[str, Any], target: Mapping[str, Any], *,
                    interaction: bool = False) -> dict[str, float]:
    """The exact Shapley contributions of the planted model to the change of
    ``planted_metric`` from ``source`` to ``target``, per attribute that differs, averaged
    over every order of change (few attributes: each order is walked)."""
    differ = [a for a in target if source.get(a) != target[a]]
    out = dict.fromkeys(differ, 0.0)
    orders = list(permutations(differ))
    for order in orders:
        current = dict(source)
        before = planted_metric(current, interaction=interaction)
        for name in order:
            current[name] = target[name]
            after = planted_metric(current, interaction=interaction)
            out[name] += (after - before) / len(orders)
            before = after
    return out


def add_interaction(sim: Simulation) -> Simulation:
    """``sim`` with the planted lr × activation interaction added to every trial (its curves
    shifted to the new asymptote; nothing is drawn)."""
    delta = np.array([
        INTERACTION_SLOPE * (math.log10(v[LR]) - math.log10(REFERENCE[LR]))
        if v[ACT] == INTERACTION[2] and v.get(OPT) != "sgd" else 0.0
        for v in sim.values])
    return _shifted(sim, delta)
