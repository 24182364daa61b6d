"""``ablation-sql export``."""

from __future__ import annotations

import argparse

from ..store.choices import EXPORT_FORMATS
from .common import add_db, add_format

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"export": "Database.export"}


def add(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "export", help="write every table and view to Parquet or CSV files",
        description="Write every table and view of the database to OUT/<name>.parquet (or "
        ".csv), one file each. The database is opened read-only.",
    )
    p.add_argument("out", metavar="OUT", help="folder to write into (created if needed)")
    add_format(p, EXPORT_FORMATS, what="file format")
    add_db(p)
    p.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from ..database import connect

    with connect(args.db, read_only=True, allow_files=True) as db:
        written = db.export(args.out, args.format)
    print(f"Wrote {len(written)} files to {args.out}: "
          + ", ".join(path.name for path in written))
    return 0
