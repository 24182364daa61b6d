"""How often the fragile flag fires with and without injected diverged trials, over many seeds.

    .venv/bin/python benchmarks/robustness_rates.py [--seeds 200] [--trials 100] [--count 6]

Each experiment is simulated as in ``effects_rates.py`` (every trial complete, the ``last``
value), analysed on val_loss (lower is better) by the adjusted model and the robustness check
(effects/robustness.py). Three settings per seed:

- clean: no diverged trial; any attribute flagged fragile is a false positive;
- leakyRelu: ``--count`` leakyRelu trials diverge (losses 10-30x). leakyRelu is planted better
  than relu, so a clear "worse" (or any clear claim the ranks do not share) comes from them:
  the detection rate is the share of experiments with activation flagged fragile, given also
  among those where the adjusted model states a clear conclusion for leakyRelu;
- elu: ``--count`` elu trials diverge. elu is planted worse, so "worse" stays true and a
  flag there is a false alarm about the conclusion (not about its size).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from effects_rates import simulated

from ablation_sql.effects.adjusted import adjusted_effects
from ablation_sql.effects.design import build_design
from ablation_sql.effects.names import short_names
from ablation_sql.effects.robustness import robustness
from ablation_sql.synthetic.model import ACT


def one(seed: int, trials: int, level: str | None, count: int) -> dict[str, object]:
    data = simulated(seed, trials, 8, "random", 0.01, metric="val_loss",
                     diverged=None if level is None else ("activation", level, count))
    design = build_design(data)
    adjusted = adjusted_effects(design)
    robust = robustness(design, adjusted, data.direction, short_names(data.attributes))
    table = robust.table.set_index("term")
    return {"any": bool(robust.fragile), "activation": ACT in robust.fragile,
            "claim": None if level is None else table.at[level, "conclusion"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--count", type=int, default=6)
    args = parser.parse_args()
    print(f"{args.seeds} seeds x {args.trials} trials, val_loss, policy last; "
          f"{args.count} diverged trials where injected")
    for level in (None, "leakyRelu", "elu"):
        started = time.perf_counter()
        runs = [one(seed, args.trials, level, args.count) for seed in range(args.seeds)]
        flagged, anywhere = (np.mean([r[k] for r in runs]) for k in ("activation", "any"))
        line = (f"{level or 'clean':>9}: any attribute fragile {anywhere:.1%}, "
                f"activation fragile {flagged:.1%}")
        if level is not None:
            claims = [r for r in runs if r["claim"] != "none"]
            worse = [r for r in runs if r["claim"] == "+"]
            line += (f"; {level} stated clearly in {len(claims)} ({len(worse)} worse), "
                     f"of which flagged {np.mean([r['activation'] for r in claims] or [0]):.1%}")
        print(f"{line} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
