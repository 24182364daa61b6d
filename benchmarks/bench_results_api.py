"""Results API benchmark: Results(...).read_results(...) on 2,000 trials x 20 epochs, against
ABLATOR's way of reading the same folder with pandas.

    python benchmarks/bench_results_api.py [--runs 3]

Every figure is a median over --runs rounds; each round runs every contender once, so the
machine's noise hits them alike. ABLATOR itself took 46 s on this kind of machine (no Ray).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
import yaml

from ablation_sql import ParallelConfig, Results

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common import experiment, median, timed  # noqa: E402

from tests.ablator_reference import ablator_flatten  # noqa: E402

ABLATOR_SECONDS = 46.0


def pandas_way(folder: Path) -> pd.DataFrame:
    """ABLATOR's read_results without Ray: per trial the config (CSafeLoader instead of
    OmegaConf), flattened, pandas.read_json of results.json, one frame; then pd.concat."""
    frames = []
    for trial in sorted(p for p in folder.iterdir() if (p / "results.json").is_file()):
        try:
            with open(trial / "config.yaml", encoding="utf-8") as handle:
                config = ablator_flatten(yaml.load(handle.read(), Loader=yaml.CSafeLoader))
            frame = pd.read_json(trial / "results.json")
        except Exception:  # noqa: BLE001 - ABLATOR drops unreadable trials the same way
            continue
        frame = pd.concat([pd.DataFrame([config] * len(frame)), frame], axis=1)
        frame.index.name = "step"
        frame = frame.reset_index()
        frame["trial_uid"] = trial.name
        frames.append(frame.set_index(["trial_uid", "step"]))
    return pd.concat(frames)


def ours(folder: Path, use_ray: bool) -> pd.DataFrame:
    results = Results(config=ParallelConfig, experiment_dir=folder, use_ray=use_ray)
    return results.read_results(config_type=ParallelConfig, experiment_dir=folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = experiment(2000, 20)
    times: dict[str, list[float]] = {"use_ray=True": [], "use_ray=False": [], "pandas": []}
    shapes = {}
    for round_ in range(args.runs):
        for name in times:
            def run(name: str = name) -> None:
                if name == "pandas":
                    shapes[name] = pandas_way(folder).shape
                else:
                    shapes[name] = ours(folder, name == "use_ray=True").shape
            times[name].append(timed(run))
        print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s"
                                                   for k, v in times.items()), flush=True)
    m = {k: median(v) for k, v in times.items()}
    print(f"\n2,000 trials x 20 epochs, medians of {args.runs} rounds, {os.cpu_count()} cores "
          f"(frames: {shapes}):")
    print(f"  pandas (ABLATOR's way)             {m['pandas']:7.2f} s")
    for name in ("use_ray=True", "use_ray=False"):
        print(f"  Results(..., {name}).read_results {m[name]:6.2f} s   "
              f"{m['pandas'] / m[name]:5.1f}x faster than pandas, "
              f"{ABLATOR_SECONDS / m[name]:5.1f}x faster than ABLATOR's 46 s (target >= 20x)")


if __name__ == "__main__":
    main()
