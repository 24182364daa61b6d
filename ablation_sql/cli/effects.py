"""``ablation-sql effects``: each attribute's effect on a metric, with findings in words."""

from __future__ import annotations

import argparse
import sys

from .common import add_db, add_experiment, add_format, add_reduction, direction_of, positive

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"effects": "Database.effects"}


def add(commands: argparse._SubParsersAction) -> None:
    """Register the effects command."""
    p = commands.add_parser(
        "effects", help="each attribute's effect on a metric, with CIs and findings in words",
        description="Estimate each search-space attribute's effect on a metric: marginal "
        "(level means / slope) and adjusted for the other attributes (OLS), importance (share "
        "of variance), with 95 % CIs (seeded bootstrap); check confounding, marginal/adjusted "
        "disagreement and sensitivity to the reduction policy. Repeats of a configuration "
        "(other seeds) are averaged, with the seed-noise share of the variance; experiments "
        "sharing the search space are set side by side. Prints the findings, the "
        "one-row-per-attribute table, then the warnings. With --format csv or json only the "
        "table goes to stdout (findings and warnings to stderr). The database is opened "
        "read-only.",
    )
    p.add_argument("--metric", required=True, help="the metric, e.g. val_accuracy")
    add_db(p)
    add_experiment(p, "the experiment (default: the database's only one)")
    add_reduction(p)
    p.add_argument("--boots", type=positive, default=1000, metavar="N",
                   help="bootstrap resamples (default: 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    add_format(p, what="output format of the table")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from ..database import connect

    with connect(args.db, read_only=True) as db:
        result = db.effects(args.metric, args.experiment, args.policy, n_boot=args.boots,
                            seed=args.seed, k=args.k,
                            direction=direction_of(args.direction, [args.metric]))
    sys.stdout.write(result.render(args.format))
    sys.stderr.write(result.render_side(args.format))
    return 0
