"""Shared pieces of the benchmarks: cached synthetic data and timing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def experiment(trials: int, epochs: int, *, algo: str = "random", seed: int = 0) -> Path:
    """A synthetic experiment folder, generated once and kept under benchmarks/data/."""
    folder = DATA / f"{algo}-{trials}x{epochs}-s{seed}"
    done = folder / ".complete"
    if not done.exists():
        from ablation_sql.synthetic import generate_experiment

        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        started = time.perf_counter()
        generate_experiment(folder, trials=trials, epochs=epochs, algo=algo, seed=seed)
        done.touch()
        print(f"generated {folder.name} in {time.perf_counter() - started:.1f} s")
    return folder


def timed(func: Callable[[], object]) -> float:
    """Seconds one call takes."""
    started = time.perf_counter()
    func()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return statistics.median(values)
