"""Ingest speed per source: 2,000 synthetic trials x 10 epochs written as an ABLATOR folder, an
Optuna storage, a Ray Tune folder and an MLflow file store, ingested into a new database, and
read through the library's own API where it is installed (pip install -e '.[sources]').

    python benchmarks/bench_sources.py [--trials 2000] [--epochs 10] [--runs 3]

Every figure is a median over --runs rounds. What the library calls return differs from what
ingest stores (ingest: every parameter, every step of every metric, statuses, search space):
optuna's trials_dataframe() has parameters, final values and states but no intermediate
values; mlflow.search_runs() has parameters and the last value of each metric (it reads every
metric file), not the histories. Ray's
ExperimentAnalysis needs the pickled trial state that Ray writes and the generator does not,
so it is not timed here.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import ablation_sql as asql
from ablation_sql.synthetic import generate_experiment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import DATA, median, timed  # noqa: E402

FORMATS = ("ablator", "optuna", "ray", "mlflow")


def data(format: str, trials: int, epochs: int) -> Path:
    """The experiment in ``format``, generated once under benchmarks/data/."""
    folder = DATA / f"{format}-{trials}x{epochs}"
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate_experiment(folder, trials=trials, epochs=epochs, seed=0, failed=20,
                            running=10, format=format)
        (folder / ".complete").touch()
    return folder


def ingest(folder: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp, asql.connect(Path(tmp) / "b.duckdb") as db:
        return timed(lambda: db.ingest(folder))


def library(format: str, folder: Path) -> dict[str, float]:
    """Seconds of the library's own reads of the same data, when it is installed."""
    if format == "optuna" and importlib.util.find_spec("optuna"):
        import optuna

        storage = f"sqlite:///{folder / 'optuna.db'}"
        return {"optuna.load_study().trials_dataframe()": timed(
            lambda: optuna.load_study(study_name=folder.name,
                                      storage=storage).trials_dataframe())}
    if format == "mlflow" and importlib.util.find_spec("mlflow"):
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"
        import mlflow

        uri = f"file:{folder}"
        mlflow.set_tracking_uri(uri)
        return {"mlflow.search_runs()": timed(lambda: mlflow.search_runs(["1"]))}
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    folders = {f: data(f, args.trials, args.epochs) for f in FORMATS}
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.runs):
        for format, folder in folders.items():
            times.setdefault((format, "ablation-sql ingest"), []).append(ingest(folder))
            for what, seconds in library(format, folder).items():
                times.setdefault((format, what), []).append(seconds)
    print(f"{args.trials} trials x {args.epochs} epochs, median of {args.runs} runs, "
          f"{os.cpu_count()} cores")
    for (format, what), values in times.items():
        seconds = median(values)
        print(f"  {format:8} {what:42} {seconds:7.2f} s  {args.trials / seconds:8.0f} trials/s")


if __name__ == "__main__":
    main()
