"""``ablation-sql plot``."""

from __future__ import annotations

import argparse

from ..store.choices import FIGURE_FORMATS, POLICIES
from .common import add_db, add_experiment, add_format, direction_of, metric_direction

__all__ = ["PYTHON_EQUIVALENT", "add"]

PYTHON_EQUIVALENT = {"plot": "Database.plot"}


def add(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "plot", help="draw the line, violin and parallel-coordinates figures",
        description="Draw, for each optimised metric, a line plot per numerical attribute "
        "(DIR/linearplot/<metric>/<attribute>.<format>), a violin plot per categorical one "
        "(DIR/violinplot/...) and one parallel-coordinates figure over every attribute "
        "(DIR/parallel/<metric>.<format>), and the repeats figures (see --repeats). Each "
        "trial is one point, its value reduced by --policy, unless --all-rows; complete "
        "trials only, unless --all-trials. When the "
        "database holds several experiments and no "
        "--experiment is given, each experiment's figures go under DIR/<experiment_id>/. "
        "The database is opened read-only.",
    )
    add_db(p)
    p.add_argument("--out", required=True, metavar="DIR",
                   help="folder to write the figures into (created if needed)")
    p.add_argument("--metric", action="append", metavar="M",
                   help="draw this metric (repeat for several; default: every optimised "
                   "metric); any ingested metric, with --direction when it is not optimised")
    p.add_argument("--direction", type=metric_direction, metavar="[METRIC=]min|max",
                   help="the direction of the --metric metrics (default: from optim_metrics); "
                   "METRIC=min alone draws that metric")
    p.add_argument("--remap", metavar="FILE.yaml",
                   help="YAML file {metrics: {name: label}, attributes: {name: label}}: the "
                   "labels shown; as in ABLATOR, a section given also selects what is drawn")
    add_format(p, FIGURE_FORMATS, what="file format")
    p.add_argument("--policy", choices=POLICIES, default="best",
                   help="each trial's value: its best, its last, or the mean of its last 5 "
                   "(default: best)")
    add_experiment(p, "draw this experiment only (default: every experiment)")
    p.add_argument("--all-rows", action="store_true",
                   help="draw every step's row, as ABLATOR does, not one point per trial")
    p.add_argument("--all-trials", action="store_true",
                   help="also draw failed, running and other trials, distinctly (default: "
                   "complete trials only)")
    p.add_argument("--repeats", action=argparse.BooleanOptionalAction, default=True,
                   help="the forest plot of configurations over their seeds, when some "
                   "configuration has repeats (DIR/repeats/<metric>), and the rank correlation "
                   "with the final ranking by step, when the trials have more than one step "
                   "(DIR/settle/<metric>); default: drawn, --no-repeats: not")
    p.set_defaults(run=_run_plot)


def _run_plot(args: argparse.Namespace) -> int:
    from ..database import connect

    metrics = args.metric or ([args.direction[0]] if args.direction and args.direction[0]
                              else None)
    direction = direction_of(args.direction, metrics or [])
    with connect(args.db, read_only=True) as db:
        run = db.plot(args.out, metrics=metrics, remap=args.remap,
                            format=args.format, policy=args.policy, experiment=args.experiment,
                            rows="all" if args.all_rows else "trial", direction=direction,
                            statuses=None if args.all_trials else ("complete",),
                            repeats=args.repeats)
    print(run.summary())
    return 0
