"""How often the failure-concentration warning and the "all failed" statement fire, over many
seeds, at 16, 50 and 200 trials.

    .venv/bin/python benchmarks/failure_rates.py [--seeds 200] [--first-seed 0]
                                                 [--sizes 16 50 200]

Each experiment is drawn with the synthetic generator's own sampler (``sampled`` in
confounding_rates.py: num_filter1, num_filter2, lr (log) and activation with 3 levels, no
folders written), then trials are marked failed from a generator of their own:

- ``uniform 10 %`` / ``uniform 30 %``: round(10 % or 30 % of n) trials chosen uniformly at
  random (no level fails more: any warning is a false alarm);
- ``elu 25/5``, ``elu 50/5``: each elu trial fails with probability 0.25 or 0.5, every other
  trial with 0.05 (the concentration the warning should find);
- ``elu always``: every elu trial fails, every other trial with probability 0.05.

It prints, per scenario and size, the share of experiments where ``survivorship_warnings``
warns about any attribute (``any``), about activation (``activation``: the detection rate where
elu fails more), and where ``all_left_out_statements`` states a level whose trials all failed
(``all failed``).
"""

from __future__ import annotations

import time

import numpy as np
from common import seed_options
from confounding_rates import sampled

from ablation_sql.effects.failures import (
    all_left_out_statements,
    failure_rates,
    survivorship_warnings,
)
from ablation_sql.synthetic.model import ACT

SCENARIOS = {
    "uniform 10 %": ("uniform", 0.10),
    "uniform 30 %": ("uniform", 0.30),
    "elu 25/5": ("elu", 0.25),
    "elu 50/5": ("elu", 0.50),
    "elu always": ("elu", 1.0),
}


def failed(level: np.ndarray, kind: str, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Which trials fail under a scenario (``level``: each trial's activation)."""
    n = len(level)
    if kind == "uniform":
        out = np.zeros(n, dtype=bool)
        out[rng.choice(n, size=round(rate * n), replace=False)] = True
        return out
    return rng.random(n) < np.where(level == "elu", rate, 0.05)


def rates(n: int, seeds: range, kind: str, rate: float) -> tuple[float, float, float]:
    """Shares of experiments with any warning, an activation warning, an all-failed statement."""
    any_warning = activation = stated = 0
    for seed in seeds:
        level = sampled(n, "random", seed).frame[ACT].to_numpy()
        data = sampled(n, "random", seed, failed(level, kind, rate,
                                                 np.random.default_rng(10_000 + seed)))
        if data.frame["reason"].isna().sum() == 0:
            continue  # every trial failed: nothing to analyse (counted as no warning)
        table = failure_rates(data)
        warnings = survivorship_warnings(data, table)
        any_warning += bool(warnings)
        activation += any(w.startswith("activation:") for w in warnings)
        stated += bool(all_left_out_statements(data, table))
    return tuple(count / len(seeds) for count in (any_warning, activation, stated))


def main(argv: list[str] | None = None) -> int:
    args, seeds = seed_options(__doc__, [16, 50, 200], argv)
    started = time.perf_counter()
    print("scenario      trials     any  activation  all failed")
    for name, (kind, rate) in SCENARIOS.items():
        for n in args.sizes:
            any_warning, activation, stated = rates(n, seeds, kind, rate)
            print(f"{name:12s}  {n:6d}  {any_warning:6.1%}  {activation:10.1%}  {stated:10.1%}")
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
