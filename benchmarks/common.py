"""Shared pieces of the benchmarks: cached synthetic data, timing and the rate benchmarks'
seed options."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from ablation_sql.synthetic import generate_experiment

DATA = Path(__file__).resolve().parent / "data"


def experiment(trials: int, epochs: int, *, algo: str = "random", seed: int = 0) -> Path:
    """A synthetic experiment folder, generated once and kept under benchmarks/data/."""
    folder = DATA / f"{algo}-{trials}x{epochs}-s{seed}"
    done = folder / ".complete"
    if not done.exists():
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


def seed_options(doc: str, sizes: list[int], argv: list[str] | None
                 ) -> tuple[argparse.Namespace, range]:
    """A rate benchmark's options ``--seeds``, ``--first-seed`` and ``--sizes`` (default
    ``sizes``) from ``argv``, and the seeds they name (printed)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--sizes", type=int, nargs="+", default=sizes)
    args = parser.parse_args(argv)
    seeds = range(args.first_seed, args.first_seed + args.seeds)
    print(f"{args.seeds} seeds per cell ({seeds.start}..{seeds.stop - 1})")
    return args, seeds
