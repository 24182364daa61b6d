"""How often the effects analysis gets the planted truth right, over many seeds.

    .venv/bin/python benchmarks/effects_rates.py [--seeds 200] [--trials 200] [--noise 0.01]
                                                 [--boots 200] [--bootstrap-levels]

Each experiment is simulated with the synthetic generator's own simulation
(``ablation_sql.synthetic.model.simulate``, what ``generate_experiment`` writes to disk), without
writing folders: every trial complete, the metric val_accuracy reduced by the ``last`` policy
(the value at the last epoch, where the planted effect is slope * (1 - e^-4)). The analysis is
the one ``effects`` runs (design, marginal, adjusted, disagreement). It prints, for ``random``
and ``tpe`` sampling:

- sign recovery: the share of experiments where the adjusted 95 % CI of each planted effect
  (num_filter2 +, lr -, elu -, leakyRelu +) excludes zero on the planted side;
- coverage: the share of (experiment, coefficient) cases whose adjusted CI holds the planted
  value (num_filter1's 0 included);
- level coverage: the share of (experiment, level) cases whose marginal CI of the
  difference from relu holds the planted offset (the other attributes are sampled
  independently of the level, so the marginal difference estimates it), and those CIs' mean
  width: BCa, or normal-theory from ``marginal.NORMAL_LEVEL`` trials per level
  (``--bootstrap-levels``: BCa at any size, to compare the two on the same experiments);
- null: the share where num_filter1 gets "no clear effect" (its adjusted CI spans zero);
- disagreement flag: the share of experiments with any attribute flagged (under random: the
  false-positive rate) and with num_filter1 flagged (under tpe: the detection rate).
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
import pandas as pd

from ablation_sql.effects.adjusted import adjusted_effects
from ablation_sql.effects.data import TrialData
from ablation_sql.effects.design import build_design
from ablation_sql.effects.disagreement import disagreements
from ablation_sql.effects.marginal import NORMAL_LEVEL, marginal_levels, marginal_slopes
from ablation_sql.synthetic.model import ACT, LR, NF1, NF2, OFFSETS, SLOPES, simulate
from ablation_sql.synthetic.options import diverge

METRICS = ("val_loss", "val_accuracy", "train_loss", "train_accuracy")  # Simulation.metrics


def simulated(seed: int, trials: int, epochs: int, algo: str, noise: float, *,
              metric: str = "val_accuracy", diverged: tuple[str, str, int] | None = None
              ) -> TrialData:
    """One experiment as the effects analysis sees it (policy last, every trial complete),
    with ``diverged`` (attribute, level, count) trials made to diverge."""
    sim = simulate(np.random.default_rng(seed), trials, epochs, algo, noise, (0, 0, 0))
    if diverged is not None:
        sim = diverge(sim, *diverged, seed=seed)
    frame = pd.DataFrame(sim.values)
    frame.insert(0, "trial_uid", sim.names)
    frame.insert(1, "status", "complete")
    frame.insert(2, "value", sim.metrics[:, epochs - 1, METRICS.index(metric)])
    frame.insert(3, "reason", None)
    for name in (NF1, NF2, LR):
        frame[name] = frame[name].astype(float)
    return TrialData(
        experiment_id=f"{algo}-{seed}", metric=metric,
        direction="max" if metric.endswith("accuracy") else "min", policy="last",
        frame=frame, numerical=[NF1, NF2, LR], categorical=[ACT], log={NF1: False, NF2: False,
        LR: True}, categories={ACT: list(OFFSETS)}, defaults={}, search_algo=algo,
    )


def one(data: TrialData, planted: dict[str, float], n_boot: int, normal_level: float
        ) -> dict[str, object]:
    design = build_design(data)
    coefficients = adjusted_effects(design).coefficients.set_index("term")
    levels = marginal_levels(data, design, n_boot=n_boot, seed=0, normal_level=normal_level)
    flags = disagreements(marginal_slopes(data, design), levels,
                          coefficients.reset_index()).set_index("term")["disagree"]
    diffs = levels[~levels["reference"]].set_index("level")
    low, high = coefficients["ci_low"], coefficients["ci_high"]
    return {
        "signs": all(np.sign(planted[t]) * low[t] > 0 and np.sign(planted[t]) * high[t] > 0
                     for t in planted if planted[t] != 0),
        "covered": [bool(low[t] <= v <= high[t]) for t, v in planted.items()],
        "levels_covered": [bool(diffs.at[t, "diff_reference_low"] <= planted[t]
                                <= diffs.at[t, "diff_reference_high"]) for t in diffs.index],
        "levels_width": list(diffs["diff_reference_high"] - diffs["diff_reference_low"]),
        "null": bool(low[NF1] <= 0 <= high[NF1]),
        "any_flag": bool(flags.any()),
        "nf1_flag": bool(flags[NF1]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--boots", type=int, default=200)
    parser.add_argument("--bootstrap-levels", action="store_true",
                        help="the level differences' CIs from the bootstrap at any size")
    args = parser.parse_args()
    normal_level = math.inf if args.bootstrap_levels else NORMAL_LEVEL
    fraction = 1.0 - math.exp(-4.0)  # frac at the last epoch: 1 - exp(-epochs / (epochs / 4))
    planted = {NF1: 0.0, NF2: SLOPES[NF2] * fraction, LR: SLOPES[LR] * fraction,
               "elu": OFFSETS["elu"] * fraction, "leakyRelu": OFFSETS["leakyRelu"] * fraction}
    print(f"{args.seeds} seeds x {args.trials} trials x {args.epochs} epochs, noise "
          f"{args.noise}, policy last")
    method = "BCa" if args.bootstrap_levels else f"BCa, normal from {NORMAL_LEVEL} per level"
    for algo in ("random", "tpe"):
        started = time.perf_counter()
        runs = [one(simulated(seed, args.trials, args.epochs, algo, args.noise), planted,
                    args.boots, normal_level) for seed in range(args.seeds)]
        covered = [c for r in runs for c in r["covered"]]
        per_term = np.mean([r["covered"] for r in runs], axis=0)
        print(f"{algo:>6}: signs recovered {np.mean([r['signs'] for r in runs]):.1%}; "
              f"coverage {np.mean(covered):.1%} of {len(covered)} cases ("
              + ", ".join(f"{t.split('.')[-1]} {c:.1%}" for t, c in zip(planted, per_term,
                                                                         strict=True))
              + f"); marginal level differences ({method}) coverage "
              f"{np.mean([c for r in runs for c in r['levels_covered']]):.1%}, mean width "
              f"{np.mean([w for r in runs for w in r['levels_width']]):.4g}"
              f"; num_filter1 no clear effect {np.mean([r['null'] for r in runs]):.1%}; "
              f"disagreement flag: any attribute {np.mean([r['any_flag'] for r in runs]):.1%}, "
              f"num_filter1 {np.mean([r['nf1_flag'] for r in runs]):.1%} "
              f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
