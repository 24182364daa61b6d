"""``ablation-sql ingest``."""

from __future__ import annotations

import argparse
from dataclasses import replace

from .common import add_db, add_direction, positive, progress

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"ingest": "Database.ingest"}


def add(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "ingest", help="load experiments (ABLATOR, Optuna, Ray Tune, MLflow) into a database",
        description="Load ABLATOR experiment folders, Optuna storage files, Ray Tune experiment "
        "folders and MLflow stores (or folders holding several) into a DuckDB database. "
        "Unchanged trials are not re-read; one ingest is one transaction.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="experiment folder(s) or file(s)")
    add_db(p)
    p.add_argument("--workers", type=positive, default=None,
                   help="local parsing processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="parse on this Dask cluster (e.g. tcp://host:8786)")
    p.add_argument("--full", action="store_true", help="re-read every trial")
    p.add_argument("--source", choices=("ablator", "optuna", "ray", "mlflow"),
                   help="read every PATH as this kind (default: told by each path's content)")
    add_direction(p)
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(run=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    from ..ingest.stamp import IngestStamp

    # what the paths hold, looked up before any database file is created (nothing: an error)
    stamp = IngestStamp(args.db, args.paths, args.source, dict(args.direction or ()))
    report = None if args.full else stamp.answer()
    if report is None:
        from ..database import connect

        with connect(args.db) as db, progress(not args.quiet) as on_progress:
            report = db.ingest(*args.paths, workers=args.workers, scheduler=args.scheduler,
                               full=args.full, on_progress=on_progress, source=args.source,
                               directions=dict(args.direction or ()), found=stamp.found)
            report = replace(report, elapsed=report.elapsed + stamp.looked)
            held = stamp.hold(db.con, report)
        stamp.write(report, held)
    if not args.quiet:
        print(f"Database: {args.db}")
        print(report.summary())
    return 0
