"""The importance intervals from normal draws against the multinomial bootstrap, on planted
truth over many seeds.

    .venv/bin/python benchmarks/importance_rates.py [--seeds 200] [--trials 6000]
                                                    [--noise 0.01] [--boots 1000]
                                                    [--truth-trials 500000]

From ``marginal.NORMAL_LEVEL`` used trials importance draws each resample's sums of the trials'
cross products from their normal limit instead of from multinomial counts (importance.py).
Each experiment is simulated as in ``effects_rates.py`` (every trial complete, val_accuracy by
the ``last`` policy), for ``random`` and ``tpe`` sampling, and its importance is computed both
ways from the same seed, and once more by the multinomial bootstrap from another seed (the
bootstrap's own Monte Carlo spread, the yardstick of "close"): the LMG shares, the unique
shares and the full model's R² (9 intervals per experiment). It prints, per sampling:

- agreement: the larger of the two ends' differences from the multinomial interval,
  relative to its width (median, 95th percentile, largest), and the widths' ratio (to the
  multinomial: median and 5th-95th percentiles), for the normal draws and for the other
  seed's multinomial draws, the effective attributes' and R²'s intervals apart from
  num_filter1's (no effect: a share near 0); how often the method ('BCa' or 'bound') is the
  same;
- coverage of the planted truth by each: the population values are the shares of one
  simulation of ``--truth-trials`` trials (its own error about a tenth of a standard error at
  6,000 trials), except num_filter1's, whose unique share is 0 exactly (it has no effect:
  the model without it explains as much), and so is its LMG share under random sampling
  (independent of the others, it explains none of what they explain);
- that every interval holds its estimate.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from effects_rates import simulated

from ablation_sql.effects.design import build_design
from ablation_sql.effects.importance import Importance, importance
from ablation_sql.effects.marginal import NORMAL_LEVEL
from ablation_sql.synthetic.model import NF1


def _ends(found: Importance) -> tuple[np.ndarray, ...]:
    """Estimates, lows, highs and methods of the shares, unique shares and R² (in that
    order)."""
    t = found.table
    return (np.r_[t["share"], t["unique"], found.r_squared],
            np.r_[t["ci_low"], t["unique_low"], found.r_squared_low],
            np.r_[t["ci_high"], t["unique_high"], found.r_squared_high],
            np.array([*t["ci_method"], *t["unique_method"], "BCa"], dtype=object))


def _truth(algo: str, trials: int, noise: float, epochs: int) -> tuple[np.ndarray, int]:
    """The population's shares, unique shares and R² (one large simulation), and where
    num_filter1 is among the attributes."""
    found = importance(build_design(simulated(10**6, trials, epochs, algo, noise)), n_boot=0,
                       seed=0)
    value = _ends(found)[0]
    names = list(found.table["attribute"])
    value[len(names) + names.index(NF1)] = 0.0  # no effect: nothing only it explains
    if algo == "random":  # independent of the others: no share of what they explain either
        value[names.index(NF1)] = 0.0
    return value, names.index(NF1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--trials", type=int, default=6000)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--noise", type=float, default=0.01)
    parser.add_argument("--boots", type=int, default=1000)
    parser.add_argument("--truth-trials", type=int, default=500_000)
    args = parser.parse_args()
    if args.trials < NORMAL_LEVEL:
        parser.error(f"--trials below {NORMAL_LEVEL} would use the multinomial draws both ways")
    print(f"{args.seeds} seeds x {args.trials} trials x {args.epochs} epochs, noise "
          f"{args.noise}, policy last, {args.boots} resamples; truth from "
          f"{args.truth_trials} trials", flush=True)
    for algo in ("random", "tpe"):
        started = time.perf_counter()
        truth, at = _truth(algo, args.truth_trials, args.noise, args.epochs)
        moved: dict[str, list[np.ndarray]] = {"normal": [], "other draws": []}
        ratio: dict[str, list[np.ndarray]] = {"normal": [], "other draws": []}
        same: dict[str, list[bool]] = {"normal": [], "other draws": []}
        covered: dict[str, list[np.ndarray]] = {"normal": [], "multinomial": [],
                                                "other draws": []}
        holds: list[bool] = []
        for seed in range(args.seeds):
            design = build_design(simulated(seed, args.trials, args.epochs, algo, args.noise))
            ways = {way: _ends(importance(design, n_boot=args.boots, seed=draws,
                                          normal_from=limit))
                    for way, limit, draws in (("normal", 0, seed),
                                              ("multinomial", math.inf, seed),
                                              ("other draws", math.inf, seed + 10**6))}
            _, m_low, m_high, m_method = ways["multinomial"]
            width = m_high - m_low
            for way in ("normal", "other draws"):
                est, low, high, method = ways[way]
                moved[way].append(np.maximum(np.abs(low - m_low), np.abs(high - m_high))
                                  / width)
                ratio[way].append((high - low) / width)
                same[way] += list(method == m_method)
            for way, (est, lo, hi, _) in ways.items():
                covered[way].append((lo <= truth) & (truth <= hi))
                holds += list((lo <= est) & (est <= hi))
        print(f"{algo:>6}: every interval holds its estimate: {all(holds)} ({len(holds)} "
              f"intervals; {time.perf_counter() - started:.0f} s)")
        null = np.zeros(9, dtype=bool)
        null[[at, at + 4]] = True  # num_filter1's share and unique share
        for way in ("normal", "other draws"):
            for part, which in (("the effective attributes and R2", ~null),
                                ("num_filter1", null)):
                moved_a = np.concatenate([m[which] for m in moved[way]])
                ratio_a = np.concatenate([r[which] for r in ratio[way]])
                print(f"        {way} against the multinomial bootstrap, {part}: the farther "
                      f"end moved by {np.nanmedian(moved_a):.3f} of its width (median; 95th "
                      f"percentile {np.nanpercentile(moved_a, 95):.3f}, largest "
                      f"{np.nanmax(moved_a):.3f}); widths' ratio {np.nanmedian(ratio_a):.3f} "
                      f"({np.nanpercentile(ratio_a, 5):.3f}-"
                      f"{np.nanpercentile(ratio_a, 95):.3f})")
            print(f"        {way}: the same method as the multinomial bootstrap "
                  f"{np.mean(same[way]):.1%}")
        labels = [*(f"share {i}" for i in range(4)), *(f"unique {i}" for i in range(4)), "R2"]
        for way, rows in covered.items():
            rate = np.mean(rows, axis=0)
            print(f"        coverage ({way}): {np.mean(rate):.1%} over all; "
                  + ", ".join(f"{label} {r:.1%}" for label, r in zip(labels, rate,
                                                                     strict=True)))
        print("        truth: " + ", ".join(f"{label} {t:.4g}" for label, t in
                                            zip(labels, truth, strict=True)), flush=True)


if __name__ == "__main__":
    main()
