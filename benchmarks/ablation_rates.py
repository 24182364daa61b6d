"""How often the ablation gets the planted truth right, over many seeds, and how long it takes.

    .venv/bin/python benchmarks/ablation_rates.py [--seeds 40] [--trials 200] [--resamples 100]
                                                  [--fit-trials N] [--model NAME]
                                                  [--timing 200,2000,20000] [--real]

Each experiment is simulated with the synthetic generator's own simulation
(``synthetic.planted.planted_trials``; what ``generate_experiment`` writes to disk), without
writing folders:
every trial complete, val_accuracy reduced by ``last``, the master config's defaults as the
source, the best trial as the target. Half the seeds plant the lr × activation interaction
(``synthetic.planted``), half do not. It prints:

- coverage: the share of (experiment, attribute) cases whose contribution interval holds the
  planted model's exact Shapley value (``planted_shapley``; nominal 95 %), with and without
  the interaction, and per attribute; ``--fit-trials`` below ``--trials`` fits the surrogate
  on a sample of the trials; ``--model`` keeps only the candidate surrogates whose name holds
  it (e.g. "boosted", to measure a tree surrogate on data where the ridge would win);
- interaction found: the share of planted experiments where lr × activation is clear;
  false positives: the share of experiments without it where any pair is called clear;
- top-quantile ranking: the share of experiments (without the interaction) whose order of the
  attributes equals the population order (the same measure on 200,000 simulated trials), and
  the share ranking the null attribute num_filter1 last;
- the guard: the share of experiments with their values shuffled across trials (no relation
  left) where the surrogate is said to explain little;
- time of one ablation (``--resamples``) for each ``--timing`` size, ingest excluded;
- ``--real``: the command's output on tests/fixtures/ablator-real/tutorial-tpe (val_loss, its
  optimised metric).
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ablation_sql.effects.ablation import ablation_of
from ablation_sql.effects.surrogate import FIT_TRIALS
from ablation_sql.synthetic.model import ACT, LR, NF1
from ablation_sql.synthetic.planted import baseline, planted_shapley, planted_trials

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "ablator-real" / "tutorial-tpe"


def population_order(interaction: bool) -> list[str]:
    """The attributes by top-quantile importance on 200,000 simulated trials."""
    data = planted_trials(10_000, 200_000, interaction=interaction)
    from ablation_sql.effects.surrogate import encoding
    from ablation_sql.effects.top_quantile import top_quantile_importance

    table = top_quantile_importance(data, encoding(data), np.zeros((1, 200_000), dtype=int),
                                    top=0.1)
    return list(table.sort_values("rank")["attribute"])


def only(model: str) -> None:
    """Keep only the candidate surrogates whose name holds ``model``."""
    from ablation_sql.effects import surrogate

    every = surrogate._candidates
    surrogate._candidates = lambda n, seed: {k: v for k, v in every(n, seed).items()
                                             if model in k}


def rates(seeds: int, trials: int, resamples: int, fit_trials: int) -> None:
    order = population_order(False)
    print(f"population top-10% order (no interaction): {', '.join(order)}")
    covered: dict[bool, list[bool]] = {True: [], False: []}
    by_attribute: dict[str, list[bool]] = {}
    chosen: dict[str, int] = {}
    found, false_pos, ranked, null_last, guard = [], [], [], [], []
    started = time.perf_counter()
    for seed in range(seeds):
        interaction = seed % 2 == 0
        data = planted_trials(seed, trials, interaction=interaction)
        result = ablation_of(data, resamples=resamples, seed=seed, fit_trials=fit_trials)
        chosen[result.surrogate["model"]] = chosen.get(result.surrogate["model"], 0) + 1
        exact = planted_shapley(baseline(), {a: result.target[a] for a in baseline()},
                                interaction=interaction)
        for r in result.contributions.itertuples():
            held = bool(r.ci_low <= exact[r.attribute] <= r.ci_high)
            covered[interaction].append(held)
            by_attribute.setdefault(r.attribute.rsplit(".")[-1], []).append(held)
        clear = result.interactions[result.interactions["clear"]]
        pairs = {frozenset((r.attribute_a, r.attribute_b)) for r in clear.itertuples()}
        if interaction:
            found.append(frozenset((LR, ACT)) in pairs)
        else:
            false_pos.append(bool(pairs))
            top = list(result.top_quantile.sort_values("rank")["attribute"])
            ranked.append(top == order)
            null_last.append(top[-1] == NF1)
        shuffled = data.frame.assign(value=np.random.default_rng(seed).permutation(
            data.frame["value"].to_numpy()))
        noise = dataclasses.replace(data, frame=shuffled)
        guard.append(ablation_of(noise, resamples=5, seed=seed,
                                 fit_trials=fit_trials).explains_little)
        print(f"seed {seed}: {time.perf_counter() - started:.0f} s", flush=True)
    took = time.perf_counter() - started

    def rate(values: list[bool]) -> str:
        return f"{np.mean(values):.3f} ({sum(values)}/{len(values)})"

    print(f"{seeds} experiments of {trials} trials (the surrogate fitted on at most "
          f"{fit_trials}), {resamples} resamples each ({took:.0f} s); surrogates chosen: "
          f"{chosen}")
    print(f"coverage of the exact planted Shapley values, with the interaction: "
          f"{rate(covered[True])}")
    print(f"coverage of the exact planted Shapley values, without: {rate(covered[False])}")
    print(f"coverage in all: {rate(covered[True] + covered[False])}; per attribute: "
          + "; ".join(f"{a} {rate(v)}" for a, v in by_attribute.items()))
    print(f"planted interaction found: {rate(found)}")
    print(f"false positive (any pair clear, none planted): {rate(false_pos)}")
    print(f"top-quantile order equals the population's: {rate(ranked)}")
    print(f"top-quantile ranks the null attribute last: {rate(null_last)}")
    print(f"guard fires on shuffled values: {rate(guard)}")


def timing(sizes: list[int], resamples: int) -> None:
    """One ablation per size, and one fit of each candidate (a refit of a resample costs
    about that much, so a tree surrogate's total is about resamples times it)."""
    from ablation_sql.effects.surrogate import _candidates, encoding, single_threaded

    for n in sizes:
        data = planted_trials(0, n, interaction=True)
        started, cpu = time.perf_counter(), time.process_time()
        result = ablation_of(data, resamples=resamples, seed=0)
        print(f"{n} trials, {resamples} resamples: {time.perf_counter() - started:.1f} s "
              f"({time.process_time() - cpu:.1f} s of CPU; surrogate: "
              f"{result.surrogate['model']}, fitted on {result.n_fitted})")
        code = encoding(data)
        x, y = code.encode(data.used), data.used["value"].to_numpy()
        fits = []
        with single_threaded():
            for name, model in _candidates(n, 0).items():
                started = time.perf_counter()
                model.fit(x, y)
                fits.append(f"{name} {time.perf_counter() - started:.2f} s")
        print(f"  one fit: {'; '.join(fits)}")


def real() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "tpe.duckdb")
        run = [sys.executable, "-m", "ablation_sql"]
        subprocess.run([*run, "ingest", str(REAL), "--db", db, "--quiet"], check=True)
        subprocess.run([*run, "ablation", "--metric", "val_loss", "--db", db], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--resamples", type=int, default=100)
    parser.add_argument("--fit-trials", type=int, default=FIT_TRIALS)
    parser.add_argument("--model", default="", help="keep only the candidates naming it")
    parser.add_argument("--timing", default="", help="comma-separated trial counts")
    parser.add_argument("--real", action="store_true")
    args = parser.parse_args()
    if args.model:
        only(args.model)
    if args.seeds:
        rates(args.seeds, args.trials, args.resamples, args.fit_trials)
    if args.timing:
        timing([int(n) for n in args.timing.split(",")], args.resamples)
    if args.real:
        real()


if __name__ == "__main__":
    main()
