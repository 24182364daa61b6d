"""The generator's options applied to a simulation of ``model``: diverged trials, a level
whose trials all fail, and both with the optimizer subspace as ``generate_experiment`` asks."""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from .model import CHANCE, Simulation, choose_branches, with_subspace
from .planted import add_interaction

__all__ = ["apply_options", "diverge"]


# --- Diverged trials (an option; the default simulation never calls this) -------------------

DIVERGE_FACTOR = (10.0, 30.0)


def diverge(sim: Simulation, attribute: str, level: str, count: int, seed: int) -> Simulation:
    """``sim`` with ``count`` complete trials whose ``attribute`` (its full name, or the last
    part: ``activation``) is ``level`` diverged: their losses multiplied at every epoch by a
    factor drawn from 10 to 30 per trial, their accuracies at chance. They stay complete.

    The trials and factors come from a generator of their own (seeded with ``seed``), so the
    rest of the simulation is unchanged. Raises ValueError for an unknown attribute or fewer
    than ``count`` complete trials at ``level``.
    """
    names = [n for n in sim.values[0] if attribute in (n, n.rsplit(".", 1)[-1])] \
        if sim.values else []
    if len(names) != 1:
        raise ValueError(f"unknown attribute {attribute!r} to diverge")
    at = [i for i, (v, s) in enumerate(zip(sim.values, sim.statuses, strict=True))
          if str(v[names[0]]) == level and s == "complete"]
    if count < 0 or count > len(at):
        raise ValueError(f"cannot diverge {count} trials: {len(at)} complete trials have "
                         f"{attribute} = {level}")
    rng = np.random.default_rng([seed, 1])
    chosen = np.sort(rng.choice(at, size=count, replace=False))
    metrics = sim.metrics.copy()
    factor = rng.uniform(*DIVERGE_FACTOR, size=(count, 1))
    for j in (0, 2):  # val_loss, train_loss
        metrics[chosen, :, j] = (metrics[chosen, :, j] * factor).astype(np.float32)
    shape = metrics[chosen, :, 1].shape
    for j in (1, 3):  # val_accuracy, train_accuracy: chance, counted of 1024
        noisy = CHANCE + 0.01 * rng.standard_normal(shape)
        metrics[chosen, :, j] = np.rint(np.clip(noisy, 0.0, 1.0) * 1024) / 1024
    val_loss = metrics[:, :, 0]
    best = np.minimum.accumulate(val_loss, axis=1)
    best_at = np.maximum.accumulate(
        np.where(val_loss == best, np.arange(val_loss.shape[1]), 0), axis=1)
    return replace(sim, metrics=metrics, best_at=best_at, diverged_trials=[
        sim.names[i] for i in chosen.tolist()])


# --- Option: every trial of one level fails --------------------------------------------------


def fail_level(sim: Simulation, attribute: str, level: str, rng: np.random.Generator
               ) -> Simulation:
    """Every complete trial whose ``attribute`` is ``level`` fails after 1 to epochs - 1
    evaluations, its last one diverged (NaN or Infinity, alternately)."""
    epochs = sim.metrics.shape[1] - 1
    statuses, rows, diverged = list(sim.statuses), list(sim.rows), list(sim.diverged)
    count = sum(s == "failed" for s in statuses)
    for i, values in enumerate(sim.values):
        if values.get(attribute) == level and statuses[i] == "complete":
            count += 1
            statuses[i], rows[i] = "failed", int(rng.integers(1, max(epochs, 2)))
            diverged[i] = math.nan if count % 2 else math.inf
    return replace(sim, statuses=statuses, rows=rows, diverged=diverged)


# --- Both options, as generate_experiment applies them ---------------------------------------


def apply_options(sim: Simulation, master: dict[str, Any], seed: int, subspace: bool,
                   always_fail: str | None, interaction: bool = False
                   ) -> tuple[Simulation, dict[str, Any]]:
    """The simulation and master config with the options applied, each drawing from a
    generator of its own (the default draws stay as they are)."""
    if subspace:
        master = with_subspace(master)
        sim = choose_branches(sim, np.random.default_rng([seed, 1]))
    if interaction:
        sim = add_interaction(sim)
    if always_fail is not None:
        attribute, level = _failing_level(always_fail, master["search_space"])
        sim = fail_level(sim, attribute, level, np.random.default_rng([seed, 2]))
    return sim, master


def _failing_level(option: str, space: dict[str, Any]) -> tuple[str, str]:
    """``attribute=level`` checked against the search space: (full attribute name, level)."""
    name, sep, level = option.partition("=")
    found = [a for a in space if a == name or a.endswith("." + name)]
    if not sep or len(found) != 1:
        raise ValueError(f"always_fail must be ATTRIBUTE=LEVEL with one of the attributes "
                         f"{', '.join(space)}, not {option!r}")
    spec = space[found[0]]
    levels = spec["categorical_values"] or [b["sub_configuration"]["name"]
                                            for b in spec["subspaces"] or []]
    if level not in levels:
        raise ValueError(f"{found[0]} has no level {level!r}: its levels are "
                         f"{', '.join(levels) or '(none: not categorical)'}")
    return found[0], level
