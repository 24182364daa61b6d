"""Time ``db.effects`` on 2,000 trials x 20 epochs (not run by pytest).

    .venv/bin/python benchmarks/bench_effects.py [--boots 1000] [--runs 3]

Ingests the cached synthetic experiment (benchmarks/data/random-2000x20-s0, generated once by
``common.experiment``) into an in-memory database, then prints the median of ``--runs`` calls
of ``db.effects("val_accuracy", n_boot=--boots)`` (every part: the three policies' data,
marginal, adjusted, importance, sensitivity, baseline, associations, failures, robustness,
findings).
"""

from __future__ import annotations

import argparse

from common import experiment, median, timed

import ablation_sql as asql


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boots", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = experiment(2000, 20)
    with asql.connect() as db:
        db.ingest(folder, workers=1)
        times = [timed(lambda: db.effects("val_accuracy", n_boot=args.boots))
                 for _ in range(args.runs)]
    print(f"effects on 2000 trials x 20 epochs, n_boot={args.boots}: median "
          f"{median(times):.2f} s of {args.runs} ({', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
