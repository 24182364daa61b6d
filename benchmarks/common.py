"""Shared pieces of the benchmarks: cached synthetic data, timing and the rate benchmarks'
seed options."""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Callable, Sequence
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


def run_measured(command: Sequence[str], **popen: object) -> tuple[int, float, int]:
    """Run ``command``: its exit code, seconds and the peak resident memory (bytes) of its
    whole process tree (itself and every descendant, summed), sampled every 50 ms."""
    import psutil

    started = time.perf_counter()
    proc = psutil.Popen(list(command), **popen)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            try:
                tree = [proc, *proc.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree))
            except psutil.Error:
                pass  # a worker ended between listing and reading: the next sample counts
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    return code, elapsed, peak


def machine() -> str:
    """The cores and the load average over the last 1, 5 and 15 minutes (other processes'
    work slows every contender alike, but shows in absolute figures)."""
    import os

    return f"{os.cpu_count()} cores, load average " + " ".join(
        f"{x:.1f}" for x in os.getloadavg())
