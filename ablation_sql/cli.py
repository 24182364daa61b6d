"""The ``ablation-sql`` command: argument parsing over the library, one-line errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .errors import AblationSQLError

__all__ = ["main"]

DEFAULT_DB = "ablation.duckdb"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except AblationSQLError as exc:
        print(f"ablation-sql: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("ablation-sql: interrupted; the database is unchanged", file=sys.stderr)
        return 130


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="ablation-sql",
        description="SQL-backed analytics for ablation studies and hyperparameter searches.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    _add_ingest(commands)
    return parser


def _add_ingest(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "ingest", help="load ABLATOR experiment folders into a DuckDB database",
        description="Load ABLATOR experiment folders (or folders holding several) into a "
        "DuckDB database. Unchanged trials are not re-read; one ingest is one transaction.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="experiment folder(s)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default: {DEFAULT_DB})")
    p.add_argument("--workers", type=_positive, default=None,
                   help="local parsing processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="parse on this Dask cluster (e.g. tcp://host:8786)")
    p.add_argument("--full", action="store_true", help="re-read every trial")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(run=_run_ingest)


def _run_ingest(args: argparse.Namespace) -> int:
    from .database import connect

    with connect(args.db) as db, _progress(not args.quiet) as on_progress:
        report = db.ingest(*args.paths, workers=args.workers, scheduler=args.scheduler,
                           full=args.full, on_progress=on_progress)
    if not args.quiet:
        print(f"Database: {args.db}")
        print(report.summary())
    return 0


class _progress:
    """A tqdm bar on stderr, shown once an ingest takes more than a moment."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

    def __enter__(self) -> Callable[[int, int], None] | None:
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="trial", desc="ingest", file=sys.stderr,
                            delay=0.5, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
