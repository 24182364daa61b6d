"""The central step of an ingest at scale: loading the workers' Parquet files into DuckDB.

    python benchmarks/bench_central_load.py [--trials 1000000] [--epochs 20]

An ingest's workers parse trial folders into Parquet files (one per batch and table, see
``ablation_sql/ingest/staging.py``); the single DuckDB writer then loads each table in one
statement (``ingest/load_*.sql``) and refreshes the views. This simulates that step without
parsing: the Parquet files are generated directly with DuckDB (--trials trials, 65 params and
--epochs x 12 metric rows each, as a synthetic trial has; files of up to 256 MB), then a
fresh process creates a database and times the load, the view refresh and the commit, with
the peak resident memory of that process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import shutil
import sys
import tempfile
import time
from pathlib import Path
from string import Template

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine, run_measured  # noqa: E402

PARAMS, METRICS = 65, 12

# Every table as the staging writes it, for trials 0 .. $n - 1.
TRIALS = """
SELECT printf('%012x', i) AS trial_uid, '/experiments/big/' || printf('%012x', i) AS path,
       'complete' AS inferred_status, $epochs::INTEGER AS n_steps, true AS results_complete,
       '{"lr": ' || random() || '}' AS config, printf('%012x', i)[:9] AS config_uid,
       '{}' AS metadata, 'config.yaml:1:1;results.json:1:1' AS fingerprint,
       NULL::VARCHAR AS failure_reason, 'big' AS experiment_id
FROM range($n) t(i)
"""
PARAMS_SQL = """
WITH t AS (SELECT i, printf('%012x', i) AS trial_uid FROM range($n) r(i)),
     k AS (SELECT k, 'config.key_' || k AS name FROM range($params) r(k))
SELECT t.trial_uid, k.name, ((t.i * k.k) % 97)::VARCHAR AS value,
       ((t.i * k.k) % 97)::DOUBLE AS value_double, NULL::VARCHAR AS value_text,
       'int' AS value_type, 'big' AS experiment_id
FROM t, k
"""
METRICS_SQL = """
WITH t AS (SELECT printf('%012x', i) AS trial_uid FROM range($n) r(i)),
     m AS (SELECT 'metric_' || k AS name FROM range($metrics) r(k))
SELECT t.trial_uid, s::INTEGER AS step, m.name, random() AS value, 'big' AS experiment_id
FROM t, range($epochs) e(s), m
"""


def generate(folder: Path, trials: int, epochs: int) -> None:
    """The workers' Parquet files, written by DuckDB in parallel: folder/<table>/*.parquet."""
    with duckdb.connect() as con:
        for name, sql, params in (
            ("trials", TRIALS, {"epochs": epochs}),
            ("params", PARAMS_SQL, {"params": PARAMS}),
            ("metrics", METRICS_SQL, {"epochs": epochs, "metrics": METRICS}),
        ):
            query = Template(sql).substitute({"n": int(trials), **params})  # integers only
            target = str(folder / name).replace("'", "''")
            con.execute(f"COPY ({query}) TO '{target}' (FORMAT parquet, COMPRESSION "
                        "uncompressed, FILE_SIZE_BYTES '256MB', PER_THREAD_OUTPUT true)")


def load(folder: Path, db_path: Path) -> None:
    """The central step, timed part by part (runs in its own process)."""
    import ablation_sql as asql
    from ablation_sql.ingest.staging import load_rows
    from ablation_sql.store.sqlfiles import execute
    from ablation_sql.store.views import refresh_views

    now = dt.datetime.now()
    with asql.connect(db_path) as db:
        con = db.con
        con.execute("BEGIN TRANSACTION")
        execute(con, "ingest/replace_experiment", experiment_id="big", path="/experiments/big",
                search_algo="random", optim_metric_name="metric_0", master_config="{}",
                now=now, config_source="master_config.yaml", ablator_experiment_id="big",
                master_fingerprint="-", master_path="-", total_trials=None, random_seed=None,
                source="ablator")
        timings = {}
        for table in ("trials", "params", "metrics"):
            started = time.perf_counter()
            load_rows(con, table, con.read_parquet(
                sorted(glob.glob(str(folder / table / "*.parquet")))), now)
            timings[f"load {table}"] = time.perf_counter() - started
        started = time.perf_counter()
        refresh_views(con)
        timings["refresh views"] = time.perf_counter() - started
        started = time.perf_counter()
        con.execute("COMMIT")
        timings["commit"] = time.perf_counter() - started
        rows = dict(con.execute(
            "SELECT 'trials', count(*) FROM trials UNION ALL SELECT 'params', count(*) FROM "
            "params UNION ALL SELECT 'metrics', count(*) FROM metrics").fetchall())
    for part, seconds in timings.items():
        table = part.removeprefix("load ")
        rate = f"   {rows[table] / seconds / 1e6:6.2f} M rows/s ({rows[table]:,} rows)" \
            if table in rows else ""
        print(f"  {part:<14} {seconds:7.2f} s{rate}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1_000_000)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        load(Path(args.child[0]), Path(args.child[1]))
        return
    work = Path(tempfile.mkdtemp(prefix="central-load-"))
    try:
        (work / "parquet").mkdir()
        started = time.perf_counter()
        generate(work / "parquet", args.trials, args.epochs)
        files = list((work / "parquet").glob("*/*.parquet"))
        size = sum(p.stat().st_size for p in files)
        print(f"generated {args.trials:,} trials x {args.epochs} epochs as "
              f"{len(files)} Parquet files, {size / 2**30:.2f} GiB, "
              f"in {time.perf_counter() - started:.1f} s (not part of the load)", flush=True)
        code, seconds, peak = run_measured([sys.executable, __file__, "--child",
                                            str(work / "parquet"), str(work / "big.duckdb")])
        if code:
            raise SystemExit(f"the load failed with exit code {code}")
        db_size = (work / "big.duckdb").stat().st_size
        print(f"central step in all (process start to exit): {seconds:.1f} s, "
              f"{args.trials / seconds:,.0f} trials/s, peak RSS {peak / 2**30:.2f} GiB, "
              f"database {db_size / 2**30:.2f} GiB; {machine()}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
