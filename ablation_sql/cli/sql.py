"""``ablation-sql sql``, ``query`` and ``queries``: SQL and the named queries."""

from __future__ import annotations

import argparse
import re
import sys

from .common import add_db, add_format

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"sql": "Database.sql", "query": "Database.query",
                     "queries": "Database.queries"}

# DuckDB's messages for what the sandbox refuses (external access, locked configuration)
_SANDBOXED = re.compile(r"disabled (by|through) configuration|configuration has been locked")


def add(commands: argparse._SubParsersAction) -> None:
    """Register sql, query and queries."""
    _add_sql(commands)
    _add_query(commands)
    _add_queries(commands)


def _add_sql(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "sql", help="run SQL on the database and print the result",
        description="Run SQL on the database and print the last statement's result. By "
        "default the database is opened read-only and the SQL reaches nothing else: no file "
        "(COPY ... TO, EXPORT DATABASE, read_csv, read_text, glob, ATTACH), no network, no "
        "extension (INSTALL, LOAD), and the configuration is locked. --allow-files keeps the "
        "database read-only but lets the SQL use files and the network; --write opens it "
        "read-write with files and network allowed (then the views are refreshed "
        "afterwards). Tables: experiments, trials, params, metrics, metrics_other, "
        "search_space, optim_metrics, ingest_errors, ingests; views: results, trial_summary, "
        "trial_attributes, trial_best, trial_ranking; table macro: trial_metric(metric, "
        "reduction := 'best', ...).",
    )
    p.add_argument("query", metavar="SQL", help="the SQL text, or - to read it from stdin")
    add_db(p)
    add_format(p)
    p.add_argument("--write", action="store_true",
                   help="open the database read-write, with file and network access "
                   "(default: read-only, no file or network access)")
    p.add_argument("--allow-files", action="store_true",
                   help="let the SQL read and write files and use the network and extensions "
                   "(the database stays read-only unless --write)")
    p.set_defaults(run=_run_sql)


def _run_sql(args: argparse.Namespace) -> int:
    from ..database import connect
    from ..errors import QueryError
    from ..store.render import render
    from .queries import run_sql

    text = sys.stdin.read() if args.query == "-" else args.query
    allow_files = args.write or args.allow_files
    with connect(args.db, read_only=not args.write, allow_files=allow_files) as db:
        try:
            rows = run_sql(db.con, text)
        except QueryError as exc:
            if allow_files or not _SANDBOXED.search(str(exc)):
                raise
            raise QueryError(f"{exc} (file, network and settings are off: see --allow-files)"
                             ) from None
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
    add_db(p)
    add_format(p)
    p.add_argument("--queries-dir", metavar="DIR",
                   help="load the named queries from this folder instead of the library")
    p.set_defaults(run=_run_query)


def _run_query(args: argparse.Namespace) -> int:
    from ..database import connect
    from ..queries import bind_params, get_query, load_queries, query_rows
    from ..store.render import render
    from .queries import parse_cli_params

    query = get_query(args.name, load_queries(args.queries_dir))
    bound = bind_params(query, parse_cli_params(args.param))  # errors before the db opens
    with connect(args.db, read_only=True) as db:
        rows = query_rows(db.con, query, bound)
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
    from ..queries import load_queries
    from .queries import describe_queries

    sys.stdout.write(describe_queries(load_queries(args.queries_dir), verbose=args.verbose))
    return 0
