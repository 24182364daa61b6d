"""End to end at scale: each stage as the command a user runs, on N trials x 20 epochs.

    python benchmarks/bench_scale.py [TRIALS ...] [--epochs 20] [--boots 1000] [--keep]

TRIALS defaults to 2000 20000 100000. For each size the synthetic experiment is generated
once (cached under benchmarks/data/, not timed), then every stage runs as its own process:
ingest, the top-trials query, effects (--boots resamples), plot and report. Each stage's
wall time and the peak resident memory of its whole process tree (the command and its
workers, summed, sampled every 50 ms) are printed as a table, with the seconds per 1,000
trials, so that growth beyond linear shows.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import experiment, machine, run_measured  # noqa: E402

METRIC = "val_loss"
# at 100,000 trials: (seconds, GiB); None where the stage has no target
TARGETS = {"ingest": (60, 1.5), "top trials": (None, None), "effects": (15, None),
           "plot": (20, 1.0), "report": (20, 1.0)}


def stages(folder: Path, db: Path, out: Path, boots: int) -> dict[str, list[str]]:
    """Each stage's command line."""
    command = str(Path(sys.executable).with_name("ablation-sql"))
    return {
        "ingest": [command, "ingest", str(folder), "--db", str(db), "--quiet"],
        "top trials": [command, "query", "top_trials", "--db", str(db), "-p",
                       f"metric={METRIC}", "-p", "k=10"],
        "effects": [command, "effects", "--metric", METRIC, "--db", str(db), "--boots",
                    str(boots)],
        "plot": [command, "plot", "--out", str(out / "plots"), "--db", str(db)],
        "report": [command, "report", str(db), "--out", str(out / "report"), "--quiet"],
    }


def measure(trials: int, epochs: int, boots: int, keep: Path | None
            ) -> list[tuple[str, float, int]]:
    """(stage, seconds, peak bytes) of every stage on one size."""
    folder = experiment(trials, epochs)
    work = Path(tempfile.mkdtemp(prefix=f"scale-{trials}-"))
    rows = []
    try:
        for name, command in stages(folder, work / "scale.duckdb", work, boots).items():
            code, seconds, peak = run_measured(command, stdout=subprocess.DEVNULL)
            if code:
                raise SystemExit(f"{name} on {trials} trials failed with exit code {code}")
            rows.append((name, seconds, peak))
            print(f"  {trials:>7,} trials  {name:<10} {seconds:7.2f} s  {peak / 2**30:5.2f} GiB",
                  flush=True)
    finally:
        if keep is not None:
            shutil.copytree(work, keep / f"{trials}", dirs_exist_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trials", nargs="*", type=int, default=[2000, 20000, 100000])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--boots", type=int, default=1000, help="effects' resamples")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="copy each size's database, figures and report into DIR/<trials>")
    args = parser.parse_args()
    results = {}
    for trials in args.trials:
        experiment(trials, args.epochs)  # generated before any timing
    for trials in args.trials:
        results[trials] = measure(trials, args.epochs, args.boots, args.keep)
    print(f"\n{args.epochs} epochs per trial, one process per stage, {machine()}; "
          "targets at 100,000 trials")
    print(f"{'trials':>8} | {'stage':<10} | {'wall s':>7} | {'s / 1k trials':>13} | "
          f"{'peak GiB':>8} | target")
    for trials, rows in results.items():
        for name, seconds, peak in rows:
            limit_s, limit_gib = TARGETS[name]
            target = ""
            if trials == 100_000 and (limit_s or limit_gib):
                met = (limit_s is None or seconds <= limit_s) and (
                    limit_gib is None or peak <= limit_gib * 2**30)
                target = " and ".join(
                    [f"<= {limit_s} s"] * bool(limit_s) + [f"<= {limit_gib} GiB"] * bool(
                        limit_gib)) + (": met" if met else ": NOT met")
            print(f"{trials:>8,} | {name:<10} | {seconds:7.2f} | "
                  f"{1000 * seconds / trials:13.3f} | {peak / 2**30:8.2f} | {target}")


if __name__ == "__main__":
    main()
