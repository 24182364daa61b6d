"""``ablation-sql export``."""

from __future__ import annotations

import argparse

from ..store.export import EXPORT_FORMATS
from .common import DEFAULT_DB

__all__ = ["add"]


def add(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "export", help="write every table and view to Parquet or CSV files",
        description="Write every table and view of the database to OUT/<name>.parquet (or "
        ".csv), one file each. The database is opened read-only.",
    )
    p.add_argument("out", metavar="OUT", help="folder to write into (created if needed)")
    p.add_argument("--format", choices=EXPORT_FORMATS, default="parquet",
                   help="file format (default: parquet)")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default: {DEFAULT_DB})")
    p.set_defaults(run=_run_export)


def _run_export(args: argparse.Namespace) -> int:
    from ..database import connect
    from ..store.export import export_database

    with connect(args.db, read_only=True, allow_files=True) as db:
        written = export_database(db.con, args.out, args.format)
    print(f"Wrote {len(written)} files to {args.out}: "
          + ", ".join(path.name for path in written))
    return 0
