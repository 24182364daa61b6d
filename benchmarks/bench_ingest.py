"""Ingest benchmark: 2,000 trials x 20 epochs against a pure-DuckDB reference and the pandas way.

    python benchmarks/bench_ingest.py [--runs 5] [--memory]

Every figure is a median over --runs rounds; each round runs every contender once, so the
machine's noise hits them alike. --memory also ingests 20,000 trials x 100 epochs in a
subprocess and reports the peak resident memory of the whole process tree.
"""

from __future__ import annotations

import argparse
import glob
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd
import psutil
import yaml

import ablation_sql as asql
from ablation_sql.ingest.flatten import flatten

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import experiment, median, timed  # noqa: E402


def reference(folder: Path, db_path: Path) -> None:
    """Pure DuckDB: read_json_auto over every results.json, plus CSafeLoader of every config."""
    with duckdb.connect(str(db_path)) as con:
        con.execute("CREATE OR REPLACE TABLE results AS SELECT * FROM read_json_auto(?, "
                    "filename = true)", [f"{folder}/*/results.json"])
    for path in glob.glob(f"{folder}/*/config.yaml"):
        with open(path, encoding="utf-8") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)


def pandas_way(folder: Path) -> pd.DataFrame:
    """ABLATOR's reader without Ray: per trial yaml + pandas.read_json, then one concat.

    ABLATOR loads configs through OmegaConf, whose loader is PyYAML's pure-Python SafeLoader;
    the rest is done as efficiently as pandas allows.
    """
    frames = []
    for trial in sorted(p for p in folder.iterdir() if p.is_dir()):
        with open(trial / "config.yaml", encoding="utf-8") as handle:
            config = dict(flatten(yaml.load(handle.read(), Loader=yaml.SafeLoader)))
        frame = pd.read_json(trial / "results.json")
        attributes = pd.DataFrame([config] * len(frame), index=frame.index)
        frames.append(pd.concat([attributes, frame], axis=1).assign(trial_uid=trial.name))
    return pd.concat(frames)


def ours(folder: Path, db_path: Path) -> asql.IngestReport:
    db_path.unlink(missing_ok=True)
    with asql.connect(db_path) as db:
        return db.ingest(folder)


def again(folder: Path, db_path: Path) -> asql.IngestReport:
    with asql.connect(db_path) as db:
        return db.ingest(folder)


def speed(runs: int) -> None:
    folder = experiment(2000, 20)
    with tempfile.TemporaryDirectory() as tmp:
        ref_db, our_db = Path(tmp) / "ref.duckdb", Path(tmp) / "ours.duckdb"
        times: dict[str, list[float]] = {"reference": [], "ingest": [], "re-ingest": [],
                                         "pandas": []}
        for round_ in range(runs):
            times["reference"].append(timed(lambda: reference(folder, ref_db)))
            times["ingest"].append(timed(lambda: ours(folder, our_db)))
            times["re-ingest"].append(timed(lambda: again(folder, our_db)))
            if round_ < 3:
                times["pandas"].append(timed(lambda: pandas_way(folder)))
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s"
                                                       for k, v in times.items()), flush=True)
    m = {k: median(v) for k, v in times.items()}
    print("\n2,000 trials x 20 epochs, medians "
          f"({runs} rounds; pandas {min(runs, 3)}), {os.cpu_count()} cores:")
    print(f"  pure-DuckDB reference   {m['reference']:7.2f} s")
    print(f"  ablation_sql ingest     {m['ingest']:7.2f} s   "
          f"{m['ingest'] / m['reference']:.2f}x the reference (target <= 1.5x)")
    print(f"  re-ingest, no change    {m['re-ingest']:7.2f} s   "
          f"{100 * m['re-ingest'] / m['ingest']:.1f} % of a full ingest (target <= 5 %)")
    print(f"  pandas (ABLATOR's way)  {m['pandas']:7.2f} s   "
          f"ingest is {m['pandas'] / m['ingest']:.1f}x faster (target >= 15x)")


def memory() -> None:
    folder = experiment(20000, 100)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "big.duckdb"
        started = time.perf_counter()
        proc = psutil.Popen([sys.executable, "-m", "ablation_sql", "ingest", str(folder),
                             "--db", str(db_path), "--quiet"])
        peak_main = peak_tree = 0
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak_main, peak_tree
            while not stop.is_set():
                try:
                    main = proc.memory_info().rss
                    tree = main + sum(c.memory_info().rss for c in proc.children(recursive=True))
                except psutil.Error:
                    break
                peak_main, peak_tree = max(peak_main, main), max(peak_tree, tree)
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        code = proc.wait()
        stop.set()
        sampler.join()
        elapsed = time.perf_counter() - started
        size = db_path.stat().st_size if db_path.exists() else 0
    print(f"\n20,000 trials x 100 epochs: exit {code}, {elapsed:.1f} s, "
          f"database {size / 2**20:.0f} MiB")
    print(f"  peak RSS: ingest process {peak_main / 2**30:.2f} GiB, with its workers "
          f"{peak_tree / 2**30:.2f} GiB (target <= 1.5 GiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory", action="store_true", help="also the 20,000 x 100 run")
    args = parser.parse_args()
    speed(args.runs)
    if args.memory:
        memory()


if __name__ == "__main__":
    main()
