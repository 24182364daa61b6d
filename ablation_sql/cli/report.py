"""``ablation-sql report``: a static HTML report of experiment folders or a database."""

from __future__ import annotations

import argparse

from .common import add_db, add_experiment, positive, progress

__all__ = ["PYTHON_EQUIVALENT", "add"]

# with folders: Database.ingest, then Database.report
PYTHON_EQUIVALENT = {"report": "Database.report"}


def add(commands: argparse._SubParsersAction) -> None:
    """Register the report command."""
    p = commands.add_parser(
        "report", help="write a static HTML report (DIR/index.html) of experiments",
        description="Write a static HTML report to DIR/index.html, with its figures under "
        "DIR/figures/: each experiment's overview, top trials, one section per attribute "
        "(figures and the numbers behind them), learning curves, failed and skipped trials, "
        "and search-space coverage. PATH is one database file (opened read-only) or "
        "experiment folders, ingested first into --db (unchanged trials are not re-read). "
        "The page opens from disk with no server and no network; figures whose data did not "
        "change are not redrawn.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help="a database file, or experiment folder(s)")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the report to")
    add_db(p, default=None, help="database to ingest folders into (default: "
           "DIR/ablation.duckdb)")
    add_experiment(p, "only this experiment (repeat for several; default: all given)",
                   repeat=True)
    p.add_argument("--top", type=positive, default=10, metavar="K",
                   help="trials in the top-trials tables (default: 10)")
    p.add_argument("--workers", type=positive, default=None,
                   help="local parsing processes for the ingest (default: one per core)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from ..report import report_paths

    with progress(not args.quiet) as on_progress:
        page, ingested = report_paths(args.paths, args.out, db_path=args.db,
                                      experiments=args.experiment, top_k=args.top,
                                      workers=args.workers, on_progress=on_progress)
    if not args.quiet:
        if ingested is not None:
            print(ingested.summary())
        print(f"Report: {page}")
    return 0
