"""Plot benchmark: PlotAnalysis(db).make_figures() on 2,000 trials x 20 epochs, one point per
trial against every epoch's row (ABLATOR's behaviour).

    python benchmarks/bench_plots.py [--runs 3]

The experiment (benchmarks/data, generated once) is ingested into an in-memory database; the
figures are the 4 attributes x 2 optimised metrics (val_loss, val_accuracy): 6 line plots and 2
violin plots, drawn with the Agg backend, cache=False. Every figure is a median over --runs
rounds; each round runs both contenders once, in turns, so the machine's noise hits them alike.
Target: one point per trial at least 5x faster.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from ablation_sql import PlotAnalysis, connect  # noqa: E402
from ablation_sql.synthetic.generate import ACT  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import experiment, median  # noqa: E402

TARGET = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = experiment(2000, 20)
    with connect() as db, tempfile.TemporaryDirectory() as work:
        started = time.perf_counter()
        db.ingest(folder)
        print(f"ingested {folder.name} in {time.perf_counter() - started:.1f} s")
        contenders = {
            "one point per trial (rows='trial')": PlotAnalysis(
                db, Path(work) / "trial", cache=False, rows="trial"),
            "every epoch's row (rows='all', ABLATOR)": PlotAnalysis(
                db, Path(work) / "all", cache=False, rows="all"),
        }
        for analysis in contenders.values():
            assert len(analysis.optim_metrics) == 2
            assert len(analysis.numerical_attributes + analysis.categorical_attributes) == 4
        rows = {label: len(a.points("val_accuracy", ACT)) for label, a in contenders.items()}
        times: dict[str, list[float]] = {label: [] for label in contenders}
        figures: dict[str, list[Path]] = {}
        for _ in range(args.runs):
            for label, analysis in contenders.items():
                started = time.perf_counter()
                figures[label] = analysis.make_figures()
                times[label].append(time.perf_counter() - started)
    print(f"PlotAnalysis(db).make_figures(), 2,000 trials x 20 epochs, medians of {args.runs}:")
    for label, seconds in times.items():
        print(f"  {median(seconds):8.2f} s  {label}: {len(figures[label])} figures of "
              f"{rows[label]:,} rows")
    trial, every = (median(times[label]) for label in contenders)
    ratio = every / trial
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"per-trial is {ratio:.1f}x faster ({verdict} the {TARGET:.0f}x target)")


if __name__ == "__main__":
    main()
