"""How often the repeats statistics get the planted truth right, over many generated experiments.

    .venv/bin/python benchmarks/repeats_rates.py [--experiments 300] [--on-disk 30]

Part 1 (in memory, ``--experiments``): each experiment is the synthetic generator's own
simulation (``synthetic.model.simulate`` with ``synthetic.repeats.Repeats``: 20 configurations
x 6 seeds, 10 epochs, epoch noise 0.01, seed noise 0.02, learning speeds spread 0.3), the
metric val_accuracy reduced by ``last``. The true mean of a configuration is its noise-free
curve at the last epoch; a run's spread around it is ``sqrt((progress * seed_noise)^2 +
noise^2)``. It measures, with 3 and 6 seeds per configuration:

- configuration coverage: the share of configurations whose 95 % interval of the mean (Student's
  t) holds the true mean;
- false "different": the share of equal-mean pairs (one configuration's seeds split in two
  halves) whose difference is called (Welch's 95 % CI excludes zero): at most 5 % expected;
- P(A > B) coverage: the share of configuration pairs whose 95 % interval of P(a run of A beats
  a run of B) holds the true probability Phi((mu_A - mu_B) / sqrt(sd_A^2 + sd_B^2));
- seed-noise share: the share of experiments whose 95 % interval of the within-configuration
  share of variance holds the planted share (within variance over within plus the variance of
  the true configuration means over the configurations the generator samples, computed from
  200,000 of them);
- settle agreement: the share of experiments whose first settled step of the top-5 set and of
  the winner (the rule of ``effects.settle``: the loss of stopping then within the tolerance
  to the end, the tolerance from the noise estimated as ``ranking_settle`` does; on the trials'
  curves reduced by best so far, last value, or mean of the last 3) is within one step of the
  one from the noise-free curves reduced alike (the tolerance from the planted noise).

Part 2 (on disk, ``--on-disk``): experiments written by ``generate_experiment`` (15
configurations x 3 seeds, the same noise), ingested and read back through ``Database.repeats``
(configuration coverage, through the real code) and ``Database.settle`` (its default policy,
best): the share of experiments whose first settled step of the top-5 set and of the winner is
within one step of the one computed from the noise-free curves (the same rule, the tolerance
from the planted noise).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

import ablation_sql as asql
from ablation_sql.effects.compare import compare_samples
from ablation_sql.effects.repeats import _t_interval
from ablation_sql.effects.seed_noise import seed_noise_share
from ablation_sql.effects.settle import settled_step, tolerance_of
from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.model import CHANCE, simulate
from ablation_sql.synthetic.repeats import Repeats, clean_curves

CONFIGS, EPOCHS, NOISE, SEED_NOISE, SPREAD = 20, 10, 0.01, 0.02, 0.3


def population_between_variance(n: int = 200_000) -> float:
    """The variance of true configuration means (last epoch) over the sampled configurations."""
    rep = Repeats(1, 0.0, np.random.default_rng(12345), SPREAD)
    sim = simulate(np.random.default_rng(54321), n, EPOCHS, "random", 0.0, (0, 0, 0), rep)
    return float(np.var(_true_means(sim)))


def _true_means(sim) -> np.ndarray:
    planted = sim.asymptote - sim.seed_effect
    return CHANCE + (planted - CHANCE) * sim.progress[:, EPOCHS - 1]


def in_memory(experiments: int, seeds: int, between: float) -> dict[str, float]:
    """Part 1 with ``seeds`` seeds per configuration (even: split in halves)."""
    cover, false, p_cover, share_cover = [], [], [], []
    settle_ok: dict[tuple[str, int], list[bool]] = {
        (p, top): [] for p in ("best", "last", "mean_last") for top in (5, 1)}
    true_steps: dict[int, list[int]] = {5: [], 1: []}
    for e in range(experiments):
        rep = Repeats(seeds, SEED_NOISE, np.random.default_rng([e, seeds, 3]), SPREAD)
        sim = simulate(np.random.default_rng([e, seeds]), CONFIGS * seeds, EPOCHS, "random",
                       NOISE, (0, 0, 0), rep)
        x = sim.metrics[:, EPOCHS - 1, 1]
        mu = _true_means(sim)
        sd = np.sqrt((sim.progress[:, EPOCHS - 1] * SEED_NOISE) ** 2 + NOISE**2)
        groups = [slice(i * seeds, (i + 1) * seeds) for i in range(CONFIGS)]
        for g in groups:
            low, high = _t_interval(x[g])
            cover.append(low <= mu[g.start] <= high)
            if seeds >= 4:
                half = seeds // 2
                r = compare_samples(x[g][:half], x[g][half:], "max")
                false.append(r["verdict"] != "no clear difference")
        for i in range(0, CONFIGS - 1, 2):
            a, b = groups[i], groups[i + 1]
            truth = stats.norm.cdf((mu[a.start] - mu[b.start])
                                   / math.hypot(sd[a.start], sd[b.start]))
            r = compare_samples(x[a], x[b], "max")
            p_cover.append(r["p_low"] <= truth <= r["p_high"])
        within = float(np.mean(sd**2))
        noise = seed_noise_share(x, np.repeat(np.arange(CONFIGS), seeds))
        share_cover.append(noise.ci_low <= within / (within + between) <= noise.ci_high)
        curves = sim.metrics[:, :EPOCHS, 1]
        clean = clean_curves(sim.asymptote, sim.progress)[:, :EPOCHS]
        observed = tolerance_of(_noise(curves))
        for (policy, top), bucket in settle_ok.items():
            truth = _settled(_reduced(clean, policy), top, tolerance_of(NOISE))
            bucket.append(abs(_settled(_reduced(curves, policy), top, observed) - truth) <= 1)
            if policy == "best":
                true_steps[top].append(truth)
    return {"configuration coverage": np.mean(cover), "configurations": len(cover),
            "false different": np.mean(false) if false else math.nan,
            "equal-mean pairs": len(false), "P(A>B) coverage": np.mean(p_cover),
            "pairs": len(p_cover), "seed-noise share coverage": np.mean(share_cover),
            **{f"{'winner' if top == 1 else f'top-{top}'} settled within 1 step ({p})":
               np.mean(v) for (p, top), v in settle_ok.items()},
            **{f"noise-free {'winner' if top == 1 else f'top-{top}'} step (best): mean, share "
               "at step 0": f"{np.mean(v):.2f}, {np.mean(np.array(v) == 0):.2f}"
               for top, v in true_steps.items()}}


def _reduced(curves: np.ndarray, policy: str) -> np.ndarray:
    """Each trial's value reduced up to each step: best so far, last, mean of the last 3."""
    if policy == "best":
        return np.maximum.accumulate(curves, axis=1)
    if policy == "last":
        return curves
    return pd.DataFrame(curves.T).rolling(3, min_periods=1).mean().to_numpy().T


def _noise(curves: np.ndarray) -> float:
    """The per-evaluation noise as ``ranking_settle`` estimates it (third differences)."""
    return float(np.median(np.abs(np.diff(curves, n=3, axis=1)))
                 / (stats.norm.ppf(0.75) * math.sqrt(20)))


def _settled(values: np.ndarray, top: int, tolerance: float) -> int:
    """The first step from which the final values of the top ``top`` by ``values`` then are,
    on average, within ``tolerance`` of the final top's (the last step when only there)."""
    final = values[:, -1]
    best = np.sort(final)[::-1][:top].mean()
    loss = np.array([best - final[np.argsort(-values[:, s], kind="stable")[:top]].mean()
                     for s in range(values.shape[1])])
    found = settled_step(loss <= tolerance + 1e-9, pd.Series(range(values.shape[1])))
    return values.shape[1] - 1 if found is None else found


def on_disk(experiments: int, root: Path) -> dict[str, float]:
    """Part 2: through the files, the ingest and the Database API."""
    cover, top_ok, winner_ok = [], [], []
    for e in range(experiments):
        out = root / f"exp{e}"
        truth = generate_experiment(out, trials=15, epochs=EPOCHS, seeds=3, noise=NOISE,
                                    seed_noise=SEED_NOISE, speed_spread=SPREAD, seed=1000 + e)
        with asql.connect(root / f"exp{e}.duckdb") as db:
            db.ingest(out, workers=1)
            table = db.repeats("val_accuracy", policy="last", n_boot=200).configurations
            keys = db.sql("SELECT trial_uid, configuration FROM trial_configurations")
            settled = db.settle("val_accuracy", top_k=5).settled.iloc[0]
        mean_of = _true_config_means(truth)
        number = keys.set_index("trial_uid")["configuration"]
        true = {number[n]: mean_of[c] for n, c in truth.configuration.items()}
        cover += [r.ci_low <= true[r.configuration] <= r.ci_high for r in table.itertuples()]
        curves = np.array([truth.curves[n] for n in truth.curves])
        last = curves.shape[1] - 1
        for got, top, bucket in ((settled["top_k_step"], 5, top_ok),
                                 (settled["winner_step"], 1, winner_ok)):
            want = _settled(curves, top, tolerance_of(NOISE))
            bucket.append(abs((last if pd.isna(got) else int(got)) - want) <= 1)
    return {"configuration coverage (API)": np.mean(cover), "configurations": len(cover),
            "top-5 settled within 1 step": np.mean(top_ok),
            "winner settled within 1 step": np.mean(winner_ok), "experiments": experiments}


def _true_config_means(truth) -> dict[int, float]:
    """Each configuration number's true mean at the last epoch, from the truth's curves."""
    out = {}
    for name, number in truth.configuration.items():
        last, asym = truth.curves[name][-1], truth.asymptotes[name]
        frac = (last - CHANCE) / (asym - CHANCE)
        out[number] = CHANCE + (truth.planted[name] - CHANCE) * frac
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--experiments", type=int, default=300)
    parser.add_argument("--on-disk", type=int, default=30)
    args = parser.parse_args()
    start = time.perf_counter()
    between = population_between_variance()
    for seeds in (3, 6):
        rates = in_memory(args.experiments, seeds, between)
        print(f"in memory, {args.experiments} experiments x {CONFIGS} configurations x "
              f"{seeds} seeds:")
        for name, value in rates.items():
            print(f"  {name}: {value:.3f}" if isinstance(value, float) else f"  {name}: {value}")
    with tempfile.TemporaryDirectory() as tmp:
        rates = on_disk(args.on_disk, Path(tmp))
    print(f"on disk, {args.on_disk} experiments x 15 configurations x 3 seeds:")
    for name, value in rates.items():
        print(f"  {name}: {value:.3f}" if isinstance(value, float) else f"  {name}: {value}")
    print(f"({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
