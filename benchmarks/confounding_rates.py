"""How often the confounding flag fires, over many seeds.

    .venv/bin/python benchmarks/confounding_rates.py [--seeds 200] [--first-seed 0]
                                                     [--sizes 50 100 200]

Each experiment is drawn with the synthetic generator's own sampler
(``ablation_sql.synthetic.model.sample_attributes``, the function that chooses every
trial's attributes in
``generate_experiment``), from its own seeded generator, with no folders written: num_filter1,
num_filter2, lr (log) and activation (3 levels). It prints, per number of trials:

- confounding: the share of experiments with any pair flagged by ``associations`` under
  ``random`` (the false-positive rate; target <= 5 %) and under ``tpe`` (num_filter1 ~ lr,
  Spearman ~ 0.75: the detection rate), and the share where num_filter1-lr itself is flagged.

The failure-concentration warning is measured by failure_rates.py, on the same ``sampled``.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from common import seed_options

from ablation_sql.effects.associations import associations
from ablation_sql.effects.data import TrialData
from ablation_sql.synthetic.model import ACT, LEVELS, LR, NF1, NF2, sample_attributes


def sampled(n: int, algo: str, seed: int, failed: np.ndarray | None = None) -> TrialData:
    """n trials drawn by the generator's sampler; ``failed`` marks failed trials."""
    rng = np.random.default_rng(seed)
    nf1, nf2, lr, act = sample_attributes(rng, n, algo)
    failed = np.zeros(n, dtype=bool) if failed is None else failed
    frame = pd.DataFrame({
        "trial_uid": [f"t{i}" for i in range(n)],
        "status": np.where(failed, "failed", "complete"),
        "value": np.where(failed, np.nan, 0.5),
        "reason": pd.Series(np.where(failed, "failed", None), dtype=object),
        NF1: nf1.astype(float), NF2: nf2.astype(float), LR: lr,
        ACT: pd.Series([LEVELS[i] for i in act], dtype=object),
    })
    return TrialData(
        experiment_id="bench", metric="val_accuracy", direction="max", policy="best",
        frame=frame, numerical=[NF1, NF2, LR], categorical=[ACT],
        log={NF1: False, NF2: False, LR: True}, categories={ACT: list(LEVELS)},
        defaults={}, search_algo=algo,
    )


def confounding(n: int, algo: str, seeds: range) -> tuple[float, float]:
    """Shares of experiments with any pair flagged and with num_filter1-lr flagged."""
    any_flag = pair_flag = 0
    for seed in seeds:
        pairs = associations(sampled(n, algo, seed))
        any_flag += bool(pairs["flagged"].any())
        hit = pairs[(pairs["attribute_a"] == NF1) & (pairs["attribute_b"] == LR)]
        pair_flag += bool(hit["flagged"].iloc[0])
    return any_flag / len(seeds), pair_flag / len(seeds)


def main(argv: list[str] | None = None) -> int:
    args, seeds = seed_options(__doc__, [50, 100, 200], argv)
    started = time.perf_counter()
    print("trials  random: any flagged  tpe: any flagged  tpe: nf1-lr flagged")
    for n in args.sizes:
        fp, _ = confounding(n, "random", seeds)
        hit, pair = confounding(n, "tpe", seeds)
        print(f"{n:6d}  {fp:18.1%}  {hit:16.1%}  {pair:19.1%}")
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
