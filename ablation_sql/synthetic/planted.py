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
import pandas as pd

from ..effects.data import TrialData
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
    simulate,
)

__all__ = ["INTERACTION", "INTERACTION_SLOPE", "add_interaction", "baseline", "planted_metric",
           "planted_shapley", "planted_trials"]

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


def planted_trials(seed: int, trials: int, *, interaction: bool = False, epochs: int = 3,
                   noise: float = 0.01) -> TrialData:
    """A simulated experiment (random search, every trial complete) as the effects analyses
    read it, without writing folders: val_accuracy reduced by ``last``, the master config's
    defaults as ``defaults``."""
    sim = simulate(np.random.default_rng(seed), trials, epochs, "random", noise, (0, 0, 0))
    if interaction:
        sim = add_interaction(sim)
    frame = pd.DataFrame(sim.values)
    frame.insert(0, "trial_uid", sim.names)
    frame.insert(1, "status", "complete")
    frame.insert(2, "value", sim.metrics[:, epochs - 1, 1])  # val_accuracy
    frame.insert(3, "reason", None)
    for name in (NF1, NF2, LR):
        frame[name] = frame[name].astype(float)
    defaults = {k: (v if k == ACT else float(v)) for k, v in baseline().items()}
    return TrialData(
        experiment_id=f"planted-{seed}", metric="val_accuracy", direction="max",
        policy="last", frame=frame, numerical=[NF1, NF2, LR], categorical=[ACT],
        log={NF1: False, NF2: False, LR: True}, categories={ACT: list(OFFSETS)},
        defaults=defaults, search_algo="random")
