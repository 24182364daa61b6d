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
    _add_sql(commands)
    _add_query(commands)
    _add_queries(commands)
    _add_export(commands)
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


_OUTPUT_FORMATS = ("table", "csv", "json", "markdown")


def _add_sql(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "sql", help="run SQL on the database and print the result",
        description="Run SQL on the database and print the last statement's result. The "
        "database is opened read-only unless --write is given (then the views are refreshed "
        "afterwards). Tables: experiments, trials, params, metrics, metrics_other, "
        "search_space, optim_metrics, ingest_errors, ingests; views: results, trial_summary, "
        "trial_attributes, trial_best, trial_ranking; table macro: trial_metric(metric, "
        "reduction := 'best', ...).",
    )
    p.add_argument("query", metavar="SQL", help="the SQL text, or - to read it from stdin")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default: {DEFAULT_DB})")
    p.add_argument("--format", choices=_OUTPUT_FORMATS, default="table",
                   help="output format (default: table)")
    p.add_argument("--write", action="store_true",
                   help="open the database read-write (default: read-only)")
    p.set_defaults(run=_run_sql)


def _run_sql(args: argparse.Namespace) -> int:
    from .database import connect
    from .formats import render
    from .queries import run_sql

    text = sys.stdin.read() if args.query == "-" else args.query
    with connect(args.db, read_only=not args.write) as db:
        rows = run_sql(db.con, text)
        if args.write:
            db.refresh_views()
    sys.stdout.write(render(rows, args.format))
    return 0


def _add_query(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "query", help="run a named query (list them with: ablation-sql queries)",
        description="Run a named query from the query library (or --queries-dir) with bound "
        "parameters. Each --param NAME=VALUE is converted to the parameter's declared type; "
        "VALUE NULL is SQL NULL; parameters not given take their defaults.",
    )
    p.add_argument("name", metavar="NAME", help="the query's name")
    p.add_argument("--param", "-p", action="append", default=[], metavar="NAME=VALUE",
                   help="a parameter value (repeat for several)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default: {DEFAULT_DB})")
    p.add_argument("--format", choices=_OUTPUT_FORMATS, default="table",
                   help="output format (default: table)")
    p.add_argument("--queries-dir", metavar="DIR",
                   help="load the named queries from this folder instead of the library")
    p.set_defaults(run=_run_query)


def _run_query(args: argparse.Namespace) -> int:
    from .database import connect
    from .formats import render
    from .queries import bind_params, get_query, load_queries, parse_cli_params, query_rows

    query = get_query(args.name, load_queries(args.queries_dir))
    params = parse_cli_params(args.param)
    bind_params(query, params)  # parameter errors before the database is opened
    with connect(args.db, read_only=True) as db:
        rows = query_rows(db.con, query, params)
    sys.stdout.write(render(rows, args.format))
    return 0


def _add_queries(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "queries", help="list the named queries with their descriptions and parameters",
        description="List every named query: its one-line description and its parameters "
        "(name: type = default, then the help text). With --verbose, the full description "
        "and the SQL too.",
    )
    p.add_argument("--queries-dir", metavar="DIR",
                   help="list the queries of this folder instead of the library")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also print each query's full description and SQL")
    p.set_defaults(run=_run_queries)


def _run_queries(args: argparse.Namespace) -> int:
    from .queries import describe_queries, load_queries

    sys.stdout.write(describe_queries(load_queries(args.queries_dir), verbose=args.verbose))
    return 0


def _add_export(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "export", help="write every table and view to Parquet or CSV files",
        description="Write every table and view of the database to OUT/<name>.parquet (or "
        ".csv), one file each. The database is opened read-only.",
    )
    p.add_argument("out", metavar="OUT", help="folder to write into (created if needed)")
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet",
                   help="file format (default: parquet)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default: {DEFAULT_DB})")
    p.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from .database import connect
    from .export import export_database

    with connect(args.db, read_only=True) as db:
        written = export_database(db.con, args.out, args.format)
    print(f"Wrote {len(written)} files to {args.out}: "
          + ", ".join(path.name for path in written))
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
