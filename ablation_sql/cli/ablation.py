"""``ablation-sql ablation``: from the baseline to the best, each attribute's contribution."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import InputError
from .common import add_db, add_experiment, add_format, add_reduction, direction_of, positive

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"ablation": "Database.ablation"}


def add(commands: argparse._SubParsersAction) -> None:
    """Register the ablation command."""
    p = commands.add_parser(
        "ablation", help="from the baseline to the best: each attribute's contribution, "
        "interactions and what reaches the top, with intervals",
        description="Fit a surrogate of the metric (chosen by cross-validation; its R² is "
        "reported and below 0.3 nothing is concluded from it), then give each attribute's "
        "Shapley contribution to the predicted change from the source (default: the master "
        "config's defaults) to the target (default: the best used trial), the greedy path, "
        "every pair's interaction share, and the importance for reaching the top quantile, "
        "with 95 %% intervals from bootstrap refits. With --format csv or json only the "
        "contributions table goes to stdout (the findings to stderr). The database is opened "
        "read-only.")
    p.add_argument("--metric", required=True, help="the metric, e.g. val_accuracy")
    add_db(p)
    add_experiment(p, "the experiment (default: the database's only one)")
    p.add_argument("--source", metavar="TRIAL|JSON",
                   help="a trial_uid, or a JSON object of attribute values over the master "
                   "config's defaults (default: the defaults)")
    p.add_argument("--target", metavar="TRIAL|JSON",
                   help="a trial_uid, or a JSON object of attribute values over the master "
                   "config's defaults (default: the best used trial)")
    add_reduction(p)
    p.add_argument("--resamples", type=positive, default=200, metavar="N",
                   help="bootstrap resamples, each refitting the surrogate (default: 200)")
    p.add_argument("--seed", type=int, default=0, help="seed (default: 0)")
    p.add_argument("--fit-trials", type=positive, default=2000, metavar="N",
                   help="fit the surrogate on at most N used trials, a seeded sample holding "
                   "the target beyond (default: 2000)")
    p.add_argument("--top", type=float, default=0.1, metavar="SHARE",
                   help="the top quantile for importance, by direction (default: 0.1)")
    add_format(p, what="output format of the tables")
    p.set_defaults(run=_run)


def _configuration(text: str | None, option: str) -> Any:
    """A trial_uid as given, or a JSON object as a mapping."""
    if text is None or not text.lstrip().startswith("{"):
        return text
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{option}: not a JSON object ({exc.msg})") from None
    if not isinstance(value, dict):
        raise InputError(f"{option}: not a JSON object")
    return value


def _run(args: argparse.Namespace) -> int:
    from ..database import connect

    source = _configuration(args.source, "--source")
    target = _configuration(args.target, "--target")
    with connect(args.db, read_only=True) as db:
        result = db.ablation(args.metric, source, target, args.experiment, args.policy,
                             resamples=args.resamples, seed=args.seed, top=args.top, k=args.k,
                             direction=direction_of(args.direction, [args.metric]),
                             fit_trials=args.fit_trials)
    sys.stdout.write(result.render(args.format))
    sys.stderr.write(result.render_side(args.format))
    return 0
