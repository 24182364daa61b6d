"""``python -m ablation_sql.synthetic``: the command line of the generator."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from .formats import FORMATS
from .generate import generate_experiment
from .study import generate_study

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Command line: generate one synthetic experiment folder."""
    parser = argparse.ArgumentParser(
        prog="python -m ablation_sql.synthetic",
        description="Write a synthetic ABLATOR experiment folder with planted effects.",
    )
    parser.add_argument("out", type=Path, help="experiment folder to create (new or empty)")
    parser.add_argument("--trials", type=int, default=50)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--algo", choices=("random", "tpe"), default="random")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--running", type=int, default=0)
    parser.add_argument("--broken", type=int, default=0)
    parser.add_argument("--failed", type=int, default=0)
    parser.add_argument("--no-state-db", dest="state_db", action="store_false")
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--diverge", metavar="ATTRIBUTE=LEVEL:COUNT",
                        help="make COUNT complete trials of that level diverge (losses 10-30x)")
    parser.add_argument("--subspace", action="store_true",
                        help="lr as an optimizer subspace: sgd (fixed lr) or adam (searched lr)")
    parser.add_argument("--always-fail-level", metavar="ATTRIBUTE=LEVEL",
                        help="every trial of this level fails, e.g. activation=elu")
    parser.add_argument("--format", choices=FORMATS, default="ablator",
                        help="write an ABLATOR folder (default), an Optuna SQLite storage, a "
                        "Ray Tune experiment folder or an MLflow file store")
    parser.add_argument("--interaction", action="store_true",
                        help="plant an interaction: lr's effect changes sign under elu")
    parser.add_argument("--seeds", type=int, default=1,
                        help="run each sampled configuration this many times (other seeds)")
    parser.add_argument("--seed-noise", type=float,
                        help="standard deviation of a seed's effect on val_accuracy "
                        "(default: --noise)")
    parser.add_argument("--speed-spread", type=float, default=0.0,
                        help="configurations learn at speeds exp(SPREAD * N(0, 1)): curves cross")
    parser.add_argument("--tpe-rho", type=float,
                        help="with --algo tpe: the correlation of num_filter1 with lr "
                        "(default 0.77; negative flips the confounding)")
    parser.add_argument("--experiments", type=int, default=1,
                        help="write this many experiments OUT/run_0, ... (master seeds --seed, "
                        "--seed + 1, ...) sharing the search space")
    parser.add_argument("--same-configurations", action="store_true",
                        help="with --experiments: every experiment runs the same configurations")
    parser.add_argument("--truth", type=Path, help="also write the planted truth as JSON here "
                        "(a list of them with --experiments)")
    args = parser.parse_args(argv)
    try:
        options = dict(
            trials=args.trials,
            epochs=args.epochs,
            algo=args.algo,
            running=args.running,
            broken=args.broken,
            failed=args.failed,
            state_db=args.state_db,
            noise=args.noise,
            diverged=args.diverge,
            subspace=args.subspace,
            always_fail=args.always_fail_level,
            format=args.format,
            interaction=args.interaction,
            seeds=args.seeds,
            seed_noise=args.seed_noise,
            speed_spread=args.speed_spread,
            tpe_rho=args.tpe_rho,
        )
        if args.experiments == 1 and not args.same_configurations:
            truths = [generate_experiment(args.out, seed=args.seed, **options)]
        else:
            truths = generate_study(args.out, args.experiments, seed=args.seed,
                                    same_configurations=args.same_configurations, **options)
    except (FileExistsError, ValueError) as exc:
        parser.exit(2, f"{parser.prog}: error: {exc}\n")
    if args.truth:
        docs = [truth.to_json() for truth in truths]
        args.truth.write_text(docs[0] if len(docs) == 1 and args.experiments == 1
                              else "[" + ",\n".join(docs) + "]")
    for truth in truths:
        counts = Counter(truth.statuses.values())
        summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
        print(f"wrote {len(truth.statuses)} trials x {args.epochs} epochs ({summary}) to "
              f"{truth.experiment_dir}")
    return 0
