"""Time ``db.effects`` on 2,000 trials x 20 epochs, or on a database given (not run by pytest).

    .venv/bin/python benchmarks/bench_effects.py [--boots 1000] [--runs 3] [--db FILE]
                                                 [--metric val_accuracy]

Ingests the cached synthetic experiment (benchmarks/data/random-2000x20-s0, generated once by
``common.experiment``) into an in-memory database, or opens ``--db`` (an ingested database,
read only: e.g. 100,000 trials ingested once with ``ablation-sql ingest``), then prints the
median wall and CPU time of ``--runs`` calls of ``db.effects(--metric, n_boot=--boots)``
(every part: the three policies' data, marginal, adjusted, importance, sensitivity,
baseline, associations, failures, robustness, findings). The CPU time (every thread of the
process) is what a quiet machine's wall time would be, near enough, when the machine is shared.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from common import experiment, median

import ablation_sql as asql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--db", type=Path, help="an ingested database (default: 2,000 trials)")
    parser.add_argument("--metric", default="val_accuracy")
    args = parser.parse_args()
    if args.db is None:
        db = asql.connect()
        db.ingest(experiment(2000, 20), workers=1)
        what = "2000 trials x 20 epochs"
    else:
        db = asql.connect(args.db, read_only=True)
        what = str(args.db)
    walls, cpus = [], []
    with db:
        for _ in range(args.runs):
            wall, cpu = time.perf_counter(), time.process_time()
            db.effects(args.metric, n_boot=args.boots)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    runs = ", ".join(f"{t:.2f}" for t in walls)
    print(f"effects of {args.metric} on {what}, n_boot={args.boots}: median {median(walls):.2f} s "
          f"wall, {median(cpus):.2f} s CPU, of {args.runs} ({runs})")


if __name__ == "__main__":
    main()
