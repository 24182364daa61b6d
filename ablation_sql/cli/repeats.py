"""``ablation-sql repeats`` and ``ablation-sql compare``: configurations over their seeds."""

from __future__ import annotations

import argparse
import sys

from .common import add_db, add_experiment, add_format, add_reduction, direction_of, positive

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"repeats": "Database.repeats", "compare": "Database.compare"}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--metric", required=True, help="the metric, e.g. val_accuracy")
    add_db(p)
    add_experiment(p, "only this experiment (default: every experiment; configurations are "
                   "matched across experiments that share a search space)")
    add_reduction(p)
    p.add_argument("--seed-attribute", action="append", metavar="NAME", dest="seed_attributes",
                   help="a seed attribute (repeatable; default: every config key whose name "
                   "ends in 'seed', such as random_seed)")
    add_format(p, what="output format of the table")


def add(commands: argparse._SubParsersAction) -> None:
    """Register the repeats and compare commands."""
    p = commands.add_parser(
        "repeats", help="each configuration over its seeds, against the best or the baseline",
        description="Group trials into configurations (equal attributes but for seed "
        "attributes, within an experiment and across experiments sharing a search space) and "
        "give each one's n, mean (95 %% Student's t CI), sd and interquartile mean (bootstrap "
        "CI), then its difference from the best (chosen among configurations with at least "
        "--min-seeds seeds) or the baseline (Welch CI) and P(better) (Newcombe's score "
        "CI). With --format csv or json only the table goes to stdout (the findings to "
        "stderr). The database is opened read-only.",
    )
    _common(p)
    p.add_argument("--boots", type=positive, default=2000, metavar="N",
                   help="bootstrap resamples of the IQM's CI (default: 2000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default: 0)")
    p.add_argument("--min-seeds", type=positive, default=3, metavar="K",
                   help="seeds a configuration needs to be called best (default: 3)")
    p.add_argument("--against", choices=("best", "baseline"), default="best",
                   help="what every configuration is compared with (default: best)")
    p.set_defaults(run=_run_repeats)
    c = commands.add_parser(
        "compare", help="two configurations: difference and P(A better than B), with CIs",
        description="Compare configuration A with B over their seeds: the difference of means "
        "(95 %% Welch CI) and the probability that a run of A beats a run of B (95 %% "
        "Newcombe score CI). A and B are configuration keys (ablation-sql repeats "
        "lists them), unique key prefixes or trial folder names. The database is opened "
        "read-only.",
    )
    c.add_argument("a", metavar="A", help="configuration key, key prefix or trial_uid")
    c.add_argument("b", metavar="B", help="configuration key, key prefix or trial_uid")
    _common(c)
    c.set_defaults(run=_run_compare)


def _run_repeats(args: argparse.Namespace) -> int:
    from ..database import connect

    with connect(args.db, read_only=True) as db:
        result = db.repeats(args.metric, args.experiment, args.policy, k=args.k,
                            direction=direction_of(args.direction, [args.metric]),
                            seed_attributes=args.seed_attributes,
                            min_seeds=args.min_seeds, against=args.against,
                            n_boot=args.boots, seed=args.seed)
    sys.stdout.write(result.render(args.format))
    sys.stderr.write(result.render_side(args.format))
    return 0


def _run_compare(args: argparse.Namespace) -> int:
    from ..database import connect

    with connect(args.db, read_only=True) as db:
        result = db.compare(args.a, args.b, args.metric, args.experiment, args.policy,
                            k=args.k, direction=direction_of(args.direction, [args.metric]),
                            seed_attributes=args.seed_attributes)
    sys.stdout.write(result.render(args.format))
    sys.stderr.write(result.render_side(args.format))
    return 0
