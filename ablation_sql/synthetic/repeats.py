"""Repeats in the synthetic experiment: each sampled configuration run ``seeds`` times, with
seed noise of a known size, optionally learning at its own speed (so that curves cross), drawn
from a generator that several experiments may share (the same configurations, other seeds).

A trial's asymptotic val_accuracy is its configuration's planted value plus
``N(0, seed_noise)``; its noise-free curve is ``CHANCE + (asymptote - CHANCE) * progress``,
``progress[e] = 1 - exp(-(e + 1) / (epochs / 4 * speed))`` with ``speed = exp(speed_spread *
N(0, 1))`` per configuration; every epoch adds ``N(0, noise)`` on top (see ``model``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import CHANCE, TPE_RHO, Simulation, sample_attributes

__all__ = ["Repeats", "clean_curves", "make_repeats", "repeat_truth"]


@dataclass(frozen=True)
class Repeats:
    """How trials repeat configurations: ``seeds`` trials per configuration, the seed noise's
    standard deviation, the spread of learning speeds and the generator of configurations."""

    seeds: int
    seed_noise: float
    configurations: np.random.Generator
    speed_spread: float = 0.0
    tpe_rho: float = TPE_RHO

    def sample(self, n: int, algo: str) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
        """The attributes of ``n`` trials (n / seeds configurations, each repeated ``seeds``
        times in a row) and each trial's learning speed."""
        if n % self.seeds:
            raise ValueError(f"{n} trials cannot be split into repeats of {self.seeds}")
        attributes = sample_attributes(self.configurations, n // self.seeds, algo, self.tpe_rho)
        speed = np.exp(self.speed_spread * self.configurations.standard_normal(n // self.seeds))
        return tuple(np.repeat(a, self.seeds) for a in attributes), np.repeat(speed, self.seeds)

    def trial_seeds(self, master_seed: int, n: int) -> list[int]:
        """Each trial's ``random_seed``: the master seed times 1000 plus its repeat number."""
        return [master_seed * 1000 + j % self.seeds for j in range(n)]


def progress(speed: np.ndarray, epochs: int) -> np.ndarray:
    """Each trial's fraction of its asymptote reached at each epoch (trial x epochs + 1)."""
    e = np.arange(1, epochs + 2)
    return 1.0 - np.exp(-e[None, :] / (epochs / 4 * speed[:, None]))


def clean_curves(asymptote: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """The noise-free val_accuracy of each trial at each epoch."""
    return CHANCE + (asymptote[:, None] - CHANCE) * frac


def make_repeats(seed: int, seeds: int, seed_noise: float, speed_spread: float,
                 configurations_seed: int | None, tpe_rho: float | None = None
                 ) -> Repeats | None:
    """The repeats option checked (None: every trial its own configuration, as by default)."""
    if seeds < 1 or seed_noise < 0 or speed_spread < 0:
        raise ValueError("seeds must be >= 1; seed_noise and speed_spread >= 0")
    if tpe_rho is not None and not -1 < tpe_rho < 1:
        raise ValueError("tpe_rho must lie strictly between -1 and 1")
    if seeds == 1 and speed_spread == 0 and configurations_seed is None and tpe_rho is None:
        return None
    draws = np.random.default_rng([seed if configurations_seed is None else configurations_seed,
                                   3])
    return Repeats(seeds, seed_noise, draws, speed_spread,
                   TPE_RHO if tpe_rho is None else tpe_rho)


def repeat_truth(sim: Simulation, repeats: Repeats | None, trial_seeds: list[int]
                  ) -> dict[str, Any]:
    """The Truth fields of the repeats option."""
    if repeats is None:
        return {}
    assert sim.progress is not None  # simulated with repeats: every trial has its curve
    planted = sim.asymptote - sim.seed_effect
    curves = clean_curves(sim.asymptote, sim.progress)[:, :-1]
    return {
        "seeds": repeats.seeds,
        "seed_noise": repeats.seed_noise,
        "trial_seeds": dict(zip(sim.names, trial_seeds, strict=True)),
        "configuration": {name: i // repeats.seeds for i, name in enumerate(sim.names)},
        "planted": dict(zip(sim.names, planted.tolist(), strict=True)),
        "curves": dict(zip(sim.names, curves.tolist(), strict=True)),
    }
