"""Benchmark the SQL layer on 20,000 trials x 100 epochs (not run by pytest).

    .venv/bin/python benchmarks/bench_views.py [--trials 20000] [--epochs 100] [--experiments 4]
                                               [--work DIR] [--runs 7]

Writes synthetic ABLATOR experiments (``ablation_sql.synthetic``) under ``--work``, ingests them
(kept between runs: delete ``--work`` to start over), then times the median of ``--runs`` runs of:

- ``refresh_views``, which every ingest runs at its end (materialises trial_best_cache and
  regenerates the pivots);
- ``trial_best`` and ``trial_ranking`` for one metric (target: <= 0.2 s each);
- the ``trial_metric`` reduction macro for one metric (best and last), with bound parameters;
- ``results`` for one experiment as a DataFrame through ``db.sql``, against reading the same
  rows with DuckDB directly (the view's rows with DuckDB's ``.df()`` and through Arrow, and
  DuckDB's own PIVOT of the stored rows both ways); target: no slower. The long metric rows and
  DuckDB's ``read_json`` over the results.json files are timed too, for scale (not the same
  rows: no config columns, not pivoted).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import ablation_sql as asql
from ablation_sql.store.views import refresh_views
from ablation_sql.synthetic import generate_experiment


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20_000, help="trials in all")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--experiments", type=int, default=4, help="the trials are split in these")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ablation-sql-bench-views"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    db_path = prepare(args)
    with asql.connect(db_path) as db:  # what every ingest adds at its end
        refresh, _ = measure(lambda: refresh_views(db.con), 3)
    with asql.connect(db_path, read_only=True) as db:
        experiment = db.sql("SELECT min(experiment_id) AS e FROM experiments").e[0]
        counts = db.sql("SELECT (SELECT count(*) FROM trials) AS trials, "
                        "(SELECT count(*) FROM metrics) AS metric_rows").iloc[0]
        print(f"database: {db_path} ({db_path.stat().st_size / 2**20:,.0f} MiB), "
              f"{counts.trials:,} trials, {counts.metric_rows:,} metric rows")
        print(f"median of {args.runs} runs, seconds:")
        timings = {"refresh_views (end of each ingest; median of 3)": refresh}
        print(f"  {refresh:8.3f}  refresh_views (end of each ingest; median of 3)")

        def bench(label: str, run: Callable[[], object]) -> float:
            seconds, shape = measure(run, args.runs)
            timings[label] = seconds
            print(f"  {seconds:8.3f}  {label}  {shape}")
            return seconds

        bench("trial_best, one metric", lambda: db.sql(
            "SELECT * FROM trial_best WHERE metric = 'val_loss'"))
        bench("trial_ranking, one metric", lambda: db.sql(
            "SELECT * FROM trial_ranking WHERE metric = 'val_accuracy'"))
        bench("trial_metric(best), bound parameters", lambda: db.sql(
            "SELECT * FROM trial_metric($metric, reduction := $reduction)",
            {"metric": "val_accuracy", "reduction": "best"}))
        bench("trial_metric(last), bound parameters", lambda: db.sql(
            "SELECT * FROM trial_metric($metric, reduction := $reduction)",
            {"metric": "val_accuracy", "reduction": "last"}))
        bench("trial_summary, every trial", lambda: db.sql("SELECT * FROM trial_summary"))
        bench("query top_trials k=10", lambda: db.query("top_trials", metric="val_accuracy"))

        print(f"results for one experiment ({experiment}), runs interleaved:")
        same = {  # the same wide rows, read with DuckDB directly
            "results view, DuckDB .df()": lambda: db.con.execute(
                "SELECT * FROM results WHERE experiment_id = ?", [experiment]).df(),
            "results view, DuckDB Arrow -> pandas": lambda: db.con.sql(
                "SELECT * FROM results WHERE experiment_id = $e",
                params={"e": experiment}).to_arrow_table().to_pandas(),
            "DuckDB PIVOT of the stored rows, .df()": lambda: db.con.sql(
                pivot_sql(experiment)).df(),
            "DuckDB PIVOT of the stored rows, Arrow -> pandas": lambda: db.con.sql(
                pivot_sql(experiment)).to_arrow_table().to_pandas(),
        }
        paths = [f"{p}/results.json" for p in db.sql(
            "SELECT path FROM trials WHERE experiment_id = $e AND results_complete "
            "AND n_steps > 0 ORDER BY trial_uid", {"e": experiment}).path]
        other = {  # not the same rows: for scale
            "(the long metric rows, .df())": lambda: db.con.execute(
                "SELECT * FROM metrics WHERE experiment_id = ?", [experiment]).df(),
            f"(read_json of its {len(paths):,} whole results.json, metrics only)":
                lambda: db.con.execute("SELECT * FROM read_json(?, filename = true)",
                                       [paths]).df(),
        }
        runs = {"results view -> DataFrame (db.sql)": lambda: db.sql(
            "SELECT * FROM results WHERE experiment_id = $e", {"e": experiment})} | same | other
        medians = interleaved(runs, args.runs)
        for label, (seconds, shape) in medians.items():
            timings[label] = seconds
            print(f"  {seconds:8.3f}  {label}  {shape}")
        view = medians["results view -> DataFrame (db.sql)"][0]
        fastest = min(medians[label][0] for label in same)
        print(f"results view (db.sql) / fastest direct DuckDB read of the same rows: "
              f"{view / fastest:.2f}")
    print(json.dumps({k: round(v, 4) for k, v in timings.items()}))
    return 0


def interleaved(runs: dict[str, Callable[[], object]], n: int) -> dict[str, tuple[float, str]]:
    """Median seconds of each callable, the runs taken in turns (so load spikes hit all)."""
    seconds: dict[str, list[float]] = {label: [] for label in runs}
    shapes = {}
    for _ in range(n):
        for label, run in runs.items():
            started = time.perf_counter()
            result = run()
            seconds[label].append(time.perf_counter() - started)
            shapes[label] = str(getattr(result, "shape", ""))
    return {label: (statistics.median(s), shapes[label]) for label, s in seconds.items()}


def prepare(args: argparse.Namespace) -> Path:
    """Generate and ingest the experiments once; reuse them when the sizes match."""
    work: Path = args.work
    db_path = work / "bench.duckdb"
    meta = {"trials": args.trials, "epochs": args.epochs, "experiments": args.experiments}
    meta_path = work / "meta.json"
    if db_path.exists() and meta_path.exists() and json.loads(meta_path.read_text()) == meta:
        asql.connect(db_path).close()  # rebuilds the views if their definitions changed
        return db_path
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    per = args.trials // args.experiments
    started = time.perf_counter()
    for i in range(args.experiments):
        n = per if i < args.experiments - 1 else args.trials - per * (args.experiments - 1)
        generate_experiment(work / "experiments" / f"exp{i}", trials=n, epochs=args.epochs,
                            algo="tpe" if i % 2 else "random", seed=i, running=2, failed=n // 50,
                            broken=6)
    generated = time.perf_counter() - started
    print(f"generated {args.trials:,} trials x {args.epochs} epochs in {generated:.0f} s",
          file=sys.stderr)
    started = time.perf_counter()
    with asql.connect(db_path) as db:
        db.ingest(work / "experiments")
    print(f"ingested in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    meta_path.write_text(json.dumps(meta))
    return db_path


def measure(run: Callable[[], object], runs: int) -> tuple[float, str]:
    seconds = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), str(getattr(result, "shape", ""))


def quote(text: str) -> str:
    """A SQL string literal (the benchmark's own experiment names only)."""
    return "'" + text.replace("'", "''") + "'"


def pivot_sql(experiment: str) -> str:
    """DuckDB's own PIVOT of one experiment's metrics joined with its pivoted params."""
    e = quote(experiment)
    return (
        f"WITH m AS (PIVOT (SELECT trial_uid, step, name, value FROM metrics "
        f"WHERE experiment_id = {e}) ON name USING max(value) GROUP BY trial_uid, step), "
        f"p AS (PIVOT (SELECT trial_uid, name, value FROM params WHERE experiment_id = {e}) "
        f"ON name USING max(value) GROUP BY trial_uid) "
        f"SELECT * FROM m JOIN p USING (trial_uid)"
    )


if __name__ == "__main__":
    raise SystemExit(main())
