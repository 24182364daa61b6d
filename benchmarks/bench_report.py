"""Report benchmark: ``ablation-sql report`` on 2,000 trials x 20 epochs, end to end.

    python benchmarks/bench_report.py [--runs 3]

Each round times, as a user runs them (a new process each, so imports count):
  cold     report of the experiment folder into an empty output folder (ingest + every figure);
  warm     the same command again, nothing changed (ingest skips every trial, the cached line
           and violin plots are kept, the rest is redrawn);
  from db  a report of the database file (read-only) into a new output folder: no ingest.
Figures are medians over --runs rounds.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import experiment, median, timed  # noqa: E402


def report(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "ablation_sql", "report", *args, "--quiet"],
                   check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = experiment(2000, 20)
    times: dict[str, list[float]] = {"cold": [], "warm": [], "from db": []}
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "site"
            again = Path(tmp) / "again"
            times["cold"].append(timed(partial(report, str(folder), "--out", str(out))))
            times["warm"].append(timed(partial(report, str(folder), "--out", str(out))))
            times["from db"].append(timed(
                partial(report, str(out / "ablation.duckdb"), "--out", str(again))))
            shutil.rmtree(again)
    print(f"ablation-sql report, 2,000 trials x 20 epochs, medians of {args.runs}:")
    for name, values in times.items():
        print(f"  {name:8s} {median(values):6.2f} s   (runs: "
              + ", ".join(f"{v:.2f}" for v in values) + ")")


if __name__ == "__main__":
    main()
