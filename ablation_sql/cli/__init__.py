"""The ``ablation-sql`` command: argument parsing over the library, one-line errors.

Each command lives in a module of this package with an ``add(commands)`` function that
registers its parser and a ``PYTHON_EQUIVALENT`` naming its library call (on ``Database`` or
in ``ablation_sql.__all__``); the command's ``run`` calls it once and prints the result.
``common`` defines the shared options, ``queries`` runs SQL and named queries as Rows. The top
layer: may import everything below it; nothing imports it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..errors import AblationSQLError
from . import ablation, effects, export, ingest, plot, repeats, report, settle, sql
from .warning_lines import warning_lines

__all__ = ["PYTHON_EQUIVALENTS", "build_parser", "main"]

_COMMANDS = (ingest, sql, export, report, effects, ablation, repeats, settle, plot)

# Each command's library call: a method of ``Database`` or a name in ``ablation_sql.__all__``.
PYTHON_EQUIVALENTS = {name: call for command in _COMMANDS
                      for name, call in command.PYTHON_EQUIVALENT.items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        with warning_lines(parser.prog):
            return args.run(args)
    except AblationSQLError as exc:
        print(f"ablation-sql: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:
        import duckdb

        if not isinstance(exc, duckdb.Error):
            raise
        from ..database import database_problem

        problem = database_problem(exc, getattr(args, "db", None))
        print(f"ablation-sql: error: {problem}", file=sys.stderr)
        return problem.exit_code
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
    for command in _COMMANDS:
        command.add(commands)
    return parser
