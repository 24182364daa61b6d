"""``ablation-sql settle``: when the ranking of trials settles during training."""

from __future__ import annotations

import argparse
import sys

from ..store.choices import RANK_CORRELATIONS
from .common import add_db, add_experiment, add_format, add_reduction, direction_of, positive

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"settle": "Database.settle"}


def add(commands: argparse._SubParsersAction) -> None:
    """Register the settle command."""
    p = commands.add_parser(
        "settle", help="when the trials' ranking settles: rank correlation per step, top-k",
        description="For each step (evaluation), the Spearman correlation (95 %% CI) between "
        "the complete trials' ranking by the metric reduced up to that step and their final "
        "ranking, how many of the final top --top-k lead then and whether the final winner "
        "does; then the first step from which the top set and the winner no longer change "
        "(how early the search could have stopped its trials). The named query "
        "ranking_settle gives the same numbers without intervals. The database is opened "
        "read-only.",
    )
    p.add_argument("--metric", required=True, help="the metric, e.g. val_accuracy")
    add_db(p)
    add_experiment(p, "only this experiment (default: each experiment)")
    add_reduction(p)
    p.add_argument("--top-k", type=positive, default=5, metavar="K",
                   help="size of the top set (default: 5)")
    p.add_argument("--method", choices=RANK_CORRELATIONS, default=RANK_CORRELATIONS[0],
                   help=f"the rank correlation (default: {RANK_CORRELATIONS[0]}; kendall "
                   "compares every pair of trials: slow for thousands)")
    p.add_argument("--tolerance", type=float, metavar="LOSS",
                   help="the loss, in the metric's units, within which the top set and the "
                   "winner count as settled (default: from the estimated noise; 0: exact)")
    add_format(p, what="output format of the table")
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from ..database import connect

    with connect(args.db, read_only=True) as db:
        result = db.settle(args.metric, args.experiment, args.policy, k=args.k,
                           top_k=args.top_k, direction=direction_of(args.direction, [args.metric]),
                           method=args.method, tolerance=args.tolerance)
    sys.stdout.write(result.render(args.format))
    sys.stderr.write(result.render_side(args.format))
    return 0
