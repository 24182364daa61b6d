"""``ablation-sql effects``: each attribute's effect on a metric, with findings in words."""

from __future__ import annotations

import argparse
import sys

from ..store.choices import POLICIES
from .common import DEFAULT_DB, OUTPUT_FORMATS, positive

__all__ = ["add"]

_TYPES = {"float64": "DOUBLE", "Int64": "BIGINT", "int64": "BIGINT"}


def add(commands: argparse._SubParsersAction) -> None:
    """Register the effects command."""
    p = commands.add_parser(
        "effects", help="each attribute's effect on a metric, with CIs and findings in words",
        description="Estimate each search-space attribute's effect on a metric: marginal "
        "(level means / slope) and adjusted for the other attributes (OLS), importance (share "
        "of variance), with 95 % CIs (seeded bootstrap); check confounding, marginal/adjusted "
        "disagreement and sensitivity to the reduction policy. Prints the findings, the "
        "one-row-per-attribute table, then the warnings. With --format csv or json only the "
        "table goes to stdout (findings and warnings to stderr). The database is opened "
        "read-only.",
    )
    p.add_argument("--metric", required=True, help="the metric, e.g. val_accuracy")
    p.add_argument("--db", default=DEFAULT_DB, help=f"database file (default: {DEFAULT_DB})")
    p.add_argument("--experiment", metavar="ID",
                   help="the experiment (default: the database's only one)")
    p.add_argument("--policy", choices=POLICIES, default="best",
                   help="how each trial's curve is reduced to one value (default: best)")
    p.add_argument("--k", type=positive, default=5,
                   help="mean_last: how many last values (default: 5)")
    p.add_argument("--direction", choices=("min", "max"),
                   help="the metric's direction (default: from optim_metrics)")
    p.add_argument("--boots", type=positive, default=1000, metavar="N",
                   help="bootstrap resamples (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    p.add_argument("--format", choices=OUTPUT_FORMATS, default="table",
                   help="output format of the table (default: table)")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from ..database import connect
    from .render import Rows, render

    with connect(args.db, read_only=True) as db:
        result = db.effects(args.metric, args.experiment, args.policy, n_boot=args.boots,
                            seed=args.seed, k=args.k, direction=args.direction)
    frame = result.to_frame()
    rows = Rows(list(frame.columns), [_TYPES.get(str(t), "VARCHAR") for t in frame.dtypes],
                [tuple(_value(v) for v in row) for row in frame.itertuples(index=False)])
    findings = result.findings[: len(result.findings) - len(result.warnings)]
    table = render(rows, args.format)
    if args.format in ("csv", "json"):
        sys.stdout.write(table)
        sys.stderr.write(_lines("Findings", findings) + _lines("Warnings", result.warnings))
        return 0
    bullet = "- " if args.format == "markdown" else ""
    sys.stdout.write(_lines("Findings", findings, bullet) + "\n" + table
                     + ("\n" if result.warnings else "")
                     + _lines("Warnings", result.warnings, bullet))
    return 0


def _lines(title: str, sentences: list[str], bullet: str = "") -> str:
    if not sentences:
        return ""
    return f"{title}:\n" + "".join(f"{bullet}{s}\n" for s in sentences)


def _value(value: object) -> object:
    """A table cell as a plain Python value (None for NULL, NaN and NA)."""
    from pandas import isna

    if isna(value):
        return None
    return value.item() if hasattr(value, "item") else value
