"""Ingest benchmark: 2,000 trials x 20 epochs against a pure-DuckDB reference and the pandas way.

    python benchmarks/bench_ingest.py [--runs 5] [--processes [--other EXE]] [--memory]
                                      [--few N ...]

Every figure is a median over --runs rounds; each round runs every contender once, so the
machine's noise hits them alike. By default the contenders are timed in this process;
--processes times each as a whole process, the way a user runs it (imports included): the
``ablation-sql ingest`` command (full; with nothing changed, answered by the stamp beside the
database and asked of the database; with one trial changed) on a copy of the experiment, the
tutorial's ``Results(...)`` with ``use_ray=True``, and processes running the pure-DuckDB
reference and the pandas way; beside each wall time, the CPU seconds of its process tree
(itself and its workers), which other processes' load inflates far less; --other EXE also
times another ``ablation-sql`` executable's ingests, and the ``Results`` of the Python beside
it, in the same rounds. The package's
bytecode is compiled first, as an installed package's is (where PYTHONDONTWRITEBYTECODE is
set, Python would otherwise compile every module of ablation_sql at every start). --memory
also ingests 20,000 trials x 100 epochs in a subprocess and reports the peak resident memory
of the whole process tree. --few N ... instead re-ingests a copy of the folder with N trials
changed, read in the command's process and by the worker pool (where ``FEW_TRIALS`` lies).

Only the standard library, DuckDB and PyYAML are imported at the top, so that the reference
process (``--child reference``) loads what the reference needs and nothing more.
"""

from __future__ import annotations

import argparse
import glob
import math
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import experiment, machine, median, run_measured, timed  # noqa: E402

if TYPE_CHECKING:
    import pandas as pd

    import ablation_sql as asql


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
    import pandas as pd

    from ablation_sql.ingest.flatten import flatten

    frames = []
    for trial in sorted(p for p in folder.iterdir() if p.is_dir()):
        with open(trial / "config.yaml", encoding="utf-8") as handle:
            config = dict(flatten(yaml.load(handle.read(), Loader=yaml.SafeLoader)))
        frame = pd.read_json(trial / "results.json")
        attributes = pd.DataFrame([config] * len(frame), index=frame.index)
        frames.append(pd.concat([attributes, frame], axis=1).assign(trial_uid=trial.name))
    return pd.concat(frames)


def ours(folder: Path, db_path: Path) -> asql.IngestReport:
    import ablation_sql as asql

    db_path.unlink(missing_ok=True)
    with asql.connect(db_path) as db:
        return db.ingest(folder)


def again(folder: Path, db_path: Path) -> asql.IngestReport:
    import ablation_sql as asql

    with asql.connect(db_path) as db:
        return db.ingest(folder)


def speed(runs: int, pandas_runs: int) -> None:
    folder = experiment(2000, 20)
    with tempfile.TemporaryDirectory() as tmp:
        ref_db, our_db = Path(tmp) / "ref.duckdb", Path(tmp) / "ours.duckdb"
        times: dict[str, list[float]] = {"reference": [], "ingest": [], "re-ingest": [],
                                         "pandas": []}
        for round_ in range(runs):
            times["reference"].append(timed(lambda: reference(folder, ref_db)))
            times["ingest"].append(timed(lambda: ours(folder, our_db)))
            times["re-ingest"].append(timed(lambda: again(folder, our_db)))
            if round_ < pandas_runs:
                times["pandas"].append(timed(lambda: pandas_way(folder)))
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s"
                                                       for k, v in times.items()), flush=True)
    m = {k: median(v) for k, v in times.items()}
    print("\n2,000 trials x 20 epochs, medians "
          f"({runs} rounds; pandas {min(runs, pandas_runs)}), {os.cpu_count()} cores:")
    print(f"  pure-DuckDB reference   {m['reference']:7.2f} s")
    print(f"  ablation_sql ingest     {m['ingest']:7.2f} s   "
          f"{m['ingest'] / m['reference']:.2f}x the reference (target <= 1.5x)")
    print(f"  re-ingest, no change    {m['re-ingest']:7.2f} s   "
          f"{100 * m['re-ingest'] / m['ingest']:.1f} % of a full ingest (target <= 5 %)")
    print(f"  pandas (ABLATOR's way)  {m['pandas']:7.2f} s   "
          f"ingest is {m['pandas'] / m['ingest']:.1f}x faster (target >= 15x)")


# The tutorial's two lines (docs/tutorial-api.md), as a script of their own (run with -P, so
# that the working directory's checkout does not shadow the one of the Python running it).
TUTORIAL = """
import sys
from ablation_sql import ParallelConfig, Results
results = Results(config=ParallelConfig, experiment_dir=sys.argv[1], use_ray=True)
df = results.read_results(config_type=ParallelConfig, experiment_dir=sys.argv[1])
"""


def run_process(command: list[str]) -> tuple[float, float]:
    """Seconds a process takes from start to exit, and the CPU seconds (user and system) of
    its process tree; raises if it fails."""
    import resource
    import subprocess

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    started, cpu_before = time.perf_counter(), cpu()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{command[:3]}... failed ({done.returncode}): {done.stderr[-400:]}")
    return elapsed, cpu() - cpu_before


def touch_one(folder: Path) -> None:
    """Change one trial as ingest sees it: a new mtime on its results.json (in a copy of the
    cached experiment, never in the cache)."""
    path = min(p for p in folder.iterdir() if p.is_dir()) / "results.json"
    os.utime(path, ns=(time.time_ns(), time.time_ns()))


def processes(runs: int, pandas_runs: int, other: str | None) -> None:
    """Every contender as a whole process, interleaved round by round; ``other``: another
    ``ablation-sql`` executable (e.g. another checkout's) whose ingests run in the same rounds
    on a database of their own."""
    import compileall
    import shutil

    import ablation_sql
    from ablation_sql.ingest.stamp import SUFFIX

    compileall.compile_dir(Path(ablation_sql.__file__).parent, quiet=1)
    command = str(Path(sys.executable).with_name("ablation-sql"))
    me = str(Path(__file__).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "e"
        shutil.copytree(experiment(2000, 20), folder)
        ref_db, our_db = Path(tmp) / "ref.duckdb", Path(tmp) / "ours.duckdb"
        other_db = Path(tmp) / "other.duckdb"
        ingest = [command, "ingest", str(folder), "--db", str(our_db), "--quiet"]
        stamp = Path(f"{our_db}{SUFFIX}")
        contenders = {
            "reference": lambda: run_process(
                [sys.executable, me, "--child", "reference", str(folder), str(ref_db)]),
            "ingest": lambda: our_db.unlink(missing_ok=True) or run_process(ingest),
            "re-ingest": lambda: run_process(ingest),
            "re-ingest db": lambda: stamp.unlink() or run_process(ingest),
            "one changed": lambda: touch_one(folder) or run_process(ingest),
            "Results": lambda: run_process([sys.executable, "-P", "-c", TUTORIAL, str(folder)]),
            "pandas": lambda: run_process(
                [sys.executable, me, "--child", "pandas", str(folder), str(ref_db)]),
        }
        if other:
            also = [other, "ingest", str(folder), "--db", str(other_db), "--quiet"]
            other_stamp = Path(f"{other_db}{SUFFIX}")
            contenders |= {
                "other ingest": lambda: other_db.unlink(missing_ok=True) or run_process(also),
                "other re-ingest": lambda: run_process(also),
                "other re-ingest db": lambda: other_stamp.unlink() or run_process(also),
                "other one changed": lambda: touch_one(folder) or run_process(also),
                "other Results": lambda: run_process(
                    [str(Path(other).with_name("python")), "-P", "-c", TUTORIAL, str(folder)]),
            }
        run_process([sys.executable, me, "--child", "reference", str(folder), str(ref_db)])
        print(f"before: {machine()}", flush=True)
        times: dict[str, list[float]] = {name: [] for name in contenders}
        cpus: dict[str, list[float]] = {name: [] for name in contenders}
        for round_ in range(runs):
            for name, contender in contenders.items():
                if name != "pandas" or round_ < pandas_runs:
                    elapsed, cpu = contender()
                    times[name].append(elapsed)
                    cpus[name].append(cpu)
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.2f} s"
                                                       for k, v in times.items() if v),
                  flush=True)
    m = {k: median(v) for k, v in times.items() if v}
    c = {k: median(v) for k, v in cpus.items() if v}
    ref, full = m["reference"], m["ingest"]
    print(f"\n2,000 trials x 20 epochs, whole processes, medians of {runs} rounds (pandas "
          f"{min(runs, pandas_runs)}), after: {machine()}:")

    def share(name: str, of: str = "ingest") -> str:
        return f"{100 * m[name] / m[of]:.1f} % (CPU {100 * c[name] / c[of]:.1f} %)"

    def over(name: str, base: str) -> str:
        return f"+{m[name] - m[base]:.3f} s (CPU +{c[name] - c[base]:.3f} s)"

    rows = [
        ("pure-DuckDB reference", "reference", ""),
        ("ablation-sql ingest", "ingest", f"{full / ref:.2f}x the reference (target <= 1.5x)"),
        ("re-ingest, no change", "re-ingest",
         f"{share('re-ingest')} of a full ingest (target <= 10 %): from the stamp"),
        ("  the same, database", "re-ingest db",
         f"{share('re-ingest db')} of a full ingest: the stamp removed"),
        ("re-ingest, one changed", "one changed",
         f"{over('one changed', 're-ingest db')} over no change asked of the database"),
        ("Results(use_ray=True)", "Results",
         f"{m.get('pandas', math.nan) / m['Results']:.1f}x faster than pandas (target >= 10x),"
         f" {m['Results'] / full:.2f}x the ingest (target <= 1.2x; CPU "
         f"{c['Results'] / c['ingest']:.2f}x)"),
        ("pandas (ABLATOR's way)", "pandas", ""),
    ]
    if other:
        rows += [
            (f"{other}:", "", ""),
            ("  ingest", "other ingest", f"{m['other ingest'] / ref:.2f}x the reference"),
            ("  re-ingest, no change", "other re-ingest",
             f"{share('other re-ingest', 'other ingest')} of its full ingest"),
            ("    the same, database", "other re-ingest db",
             f"{share('other re-ingest db', 'other ingest')} of its full ingest"),
            ("  re-ingest, one changed", "other one changed",
             f"{over('other one changed', 'other re-ingest db')} over no change asked of "
             "the database"),
            ("  Results(use_ray=True)", "other Results",
             f"{m['other Results'] / m['other ingest']:.2f}x its ingest "
             f"(CPU {c['other Results'] / c['other ingest']:.2f}x)"),
        ]
    print(f"  {'contender':24} {'wall':>7}   {'CPU':>7}")
    for label, name, note in rows:
        if name not in m:
            print(f"  {label}")
            continue
        print(f"  {label:24} {m[name]:7.2f} s {c[name]:7.2f} s   {note}".rstrip())


# An ingest process whose limit of trials parsed in-process is argv[3] (the pool above it).
FEW = """
import sys
import ablation_sql.ingest.pipeline as pipeline
from ablation_sql.cli import main
pipeline.FEW_TRIALS = int(sys.argv[3])
sys.exit(main(["ingest", sys.argv[1], "--db", sys.argv[2], "--quiet"]))
"""


def few(runs: int, sizes: list[int]) -> None:
    """Re-ingests of a copy of the 2,000-trial folder with n trials changed, each n read both
    ways (in this process from lists, or by the worker pool through Arrow), as whole
    processes: where the in-process way stops paying (``few_trials.FEW_TRIALS``)."""
    import shutil

    with tempfile.TemporaryDirectory() as tmp:
        folder, db_path = Path(tmp) / "e", Path(tmp) / "few.duckdb"
        shutil.copytree(experiment(2000, 20), folder)
        trials = sorted(p for p in folder.iterdir() if p.is_dir())
        run_process([sys.executable, "-c", FEW, str(folder), str(db_path), "0"])
        print(f"before: {machine()}", flush=True)
        times: dict[tuple[int, str], list[float]] = {}
        for round_ in range(runs):
            for n in sizes:
                for way, limit in (("here", n), ("pool", 0)):
                    for trial in trials[:n]:
                        os.utime(trial / "results.json")
                    elapsed, _ = run_process([sys.executable, "-c", FEW, str(folder),
                                              str(db_path), str(limit)])
                    times.setdefault((n, way), []).append(elapsed)
            print(f"round {round_ + 1} done", flush=True)
    print(f"\nn trials changed of 2,000, whole processes, medians of {runs} rounds, after: "
          f"{machine()}:")
    print(f"  {'n':>5} {'in-process':>11} {'pool':>8}")
    for n in sizes:
        print(f"  {n:5d} {median(times[n, 'here']):9.2f} s {median(times[n, 'pool']):6.2f} s")


def child(kind: str, folder: Path, db_path: Path) -> None:
    """The body of a --processes contender that is not an ablation_sql command."""
    if kind == "reference":
        reference(folder, db_path)
    else:
        pandas_way(folder)


def memory() -> None:
    folder = experiment(20000, 100)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "big.duckdb"
        code, elapsed, peak = run_measured([sys.executable, "-m", "ablation_sql", "ingest",
                                            str(folder), "--db", str(db_path), "--quiet"])
        size = db_path.stat().st_size if db_path.exists() else 0
    print(f"\n20,000 trials x 100 epochs: exit {code}, {elapsed:.1f} s, "
          f"database {size / 2**20:.0f} MiB")
    print(f"  peak RSS of the ingest with its workers {peak / 2**30:.2f} GiB "
          "(target <= 1.5 GiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--processes", action="store_true",
                        help="time whole processes (imports included) instead of calls")
    parser.add_argument("--pandas-runs", type=int, default=3,
                        help="rounds that run the pandas way too (default: 3)")
    parser.add_argument("--memory", action="store_true", help="also the 20,000 x 100 run")
    parser.add_argument("--other", metavar="ABLATION_SQL",
                        help="--processes: also time this ablation-sql executable's ingests "
                        "(e.g. another checkout's) in the same rounds")
    parser.add_argument("--few", type=int, nargs="+", metavar="N",
                        help="instead: re-ingests with N trials changed, read in-process "
                        "and by the worker pool")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "FOLDER", "DB"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    if args.few:
        few(args.runs, args.few)
    elif args.processes:
        processes(args.runs, args.pandas_runs, args.other)
    else:
        speed(args.runs, args.pandas_runs)
    if args.memory:
        memory()


if __name__ == "__main__":
    main()
