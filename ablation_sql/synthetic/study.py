"""Several synthetic experiments that share a search space: the same study run again with other
master seeds, sharing their sampled configurations or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .generate import Truth, generate_experiment

__all__ = ["generate_study"]


def generate_study(out: str | Path, experiments: int, *, seed: int = 0,
                   same_configurations: bool = False, **options: Any) -> list[Truth]:
    """Write ``experiments`` experiment folders ``out/run_0``, ``out/run_1``, ... with master
    seeds ``seed``, ``seed + 1``, ...; with ``same_configurations`` they all run the
    configurations drawn from ``seed`` (then each configuration is repeated across them).
    ``options`` are ``generate_experiment``'s. Raises ValueError when ``experiments < 1``.
    """
    if experiments < 1:
        raise ValueError("experiments must be >= 1")
    shared = {"configurations_seed": seed} if same_configurations else {}
    return [generate_experiment(Path(out) / f"run_{k}", seed=seed + k, **{**shared, **options})
            for k in range(experiments)]
