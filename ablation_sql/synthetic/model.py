"""The synthetic experiment's model: its search space, master config, planted effects, and the
simulation of every trial (sampled attributes, statuses, per-epoch metrics), with no I/O.

The asymptotic validation accuracy of a trial is
``base + sum(slopes[a] * (t(x_a) - t(reference[a]))) + offsets[activation] + N(0, noise)``
where ``t`` is log10 for the learning rate and the identity otherwise. ``num_filter1`` has no
effect; under ``algo="tpe"`` it is sampled correlated with the learning rate, so it shows a
spurious marginal trend. ``generate`` writes what ``simulate`` draws as experiment folders;
``options`` changes the simulation as the generator's options ask.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from .repeats import Repeats

__all__ = ["ACT", "BRANCH_OFFSETS", "BRANCHES", "LEVELS", "LR", "NF1", "NF2", "OFFSETS", "OPT",
           "SLOPES", "Simulation", "master_config", "sample_attributes", "simulate",
           "with_values"]

NF1 = "model_config.num_filter1"
NF2 = "model_config.num_filter2"
LR = "train_config.optimizer_config.arguments.lr"
ACT = "model_config.activation"
LEVELS = ("relu", "elu", "leakyRelu")

BASE_ACCURACY = 0.75
SLOPES = {NF1: 0.0, NF2: 0.0005, LR: -0.05}  # lr: per log10 unit
REFERENCE = {NF1: 32, NF2: 64, LR: 0.001}
OFFSETS = {"relu": 0.0, "elu": -0.08, "leakyRelu": 0.02}
CHANCE = 0.1  # 10 classes: accuracy before training
TPE_RHO = 0.77  # Gaussian copula correlation: Spearman ~ 0.75 between num_filter1 and lr
STEPS_PER_EPOCH = 16
T0 = 1_795_858_497.0  # fixed base for every timestamp
MODEL = "MyModel"

# ablator.main.state.store.TrialState codes, and the state each broken kind naturally implies
STATE_CODES = {"RUNNING": 0, "COMPLETE": 1, "FAIL": 3}
BROKEN_KINDS = {
    "garbage_results": "COMPLETE",  # trained, then results.json was corrupted
    "empty_results": "FAIL",  # crashed while first writing results.json
    "non_utf8_config": "COMPLETE",
    "missing_config": "COMPLETE",
    "empty_list_results": "FAIL",  # crashed before the first evaluation
    "non_mapping_config": "COMPLETE",
}
STATUS_STATE = {"complete": "COMPLETE", "running": "RUNNING", "failed": "FAIL"} | BROKEN_KINDS


def _spec(
    value_range: list[str] | None,
    value_type: str | None,
    log: bool = False,
    categorical: list[str] | None = None,
) -> dict[str, Any]:
    """One search-space entry, fields in ABLATOR's order."""
    return {
        "value_range": value_range,
        "categorical_values": categorical,
        "subspaces": None,
        "sub_configuration": None,
        "value_type": value_type,
        "n_bins": None,
        "log": log,
    }


def master_config(
    out: Path, trials: int, epochs: int, algo: str, seed: int, concurrent: int
) -> dict[str, Any]:
    """The experiment's configuration, keyed in the order ABLATOR writes it."""
    return {
        "experiment_dir": str(out),
        "experiment_id": f"experiment_{int(T0) + seed}",
        "random_seed": seed,
        "train_config": {
            "dataset": "synthetic-28x28-10cls",
            "batch_size": 32,
            "epochs": epochs,
            "optimizer_config": {
                "name": "adam",
                "arguments": {"lr": 0.001, "betas": [0.9, 0.999], "weight_decay": 0.0},
            },
            "scheduler_config": None,
        },
        "model_config": {"num_filter1": 32, "num_filter2": 64, "activation": "relu"},
        "keep_n_checkpoints": 3,
        "tensorboard": True,
        "amp": False,
        "device": "cpu",
        "verbose": "console",
        "eval_subsample": 1.0,
        "metrics_n_batches": 800,
        "metrics_mb_limit": 10000,
        "early_stopping_iter": None,
        "eval_epoch": 1.0,
        "log_epoch": 1.0,
        "init_chkpt": None,
        "warm_up_epochs": 1.0,
        "divergence_factor": 10.0,
        "optim_metrics": {"val_loss": "min", "val_accuracy": "max"},
        "optim_metric_name": "val_loss",
        "remote_config": None,
        "total_trials": trials,
        "concurrent_trials": concurrent,
        "search_space": {
            NF1: _spec(["32", "128"], "int"),
            NF2: _spec(["64", "256"], "int"),
            LR: _spec(["0.0001", "0.1"], "float", log=True),
            ACT: _spec(None, None, categorical=list(LEVELS)),
        },
        "gpu_mb_per_experiment": None,
        "search_algo": algo,
        "ignore_invalid_params": False,
    }


def with_values(master: dict[str, Any], values: dict[str, Any], exp_dir: str) -> dict[str, Any]:
    """A copy of the master config with the sampled values and experiment_dir filled in."""
    train, model = dict(master["train_config"]), dict(master["model_config"])
    opt = dict(train["optimizer_config"])
    opt["arguments"] = dict(opt["arguments"], lr=values[LR])
    if OPT in values:
        opt = _branch_config(values[OPT], values[LR])
    train["optimizer_config"] = opt
    model.update(num_filter1=values[NF1], num_filter2=values[NF2], activation=values[ACT])
    return dict(master, experiment_dir=exp_dir, train_config=train, model_config=model)


def _uids(rng: np.random.Generator, n: int) -> np.ndarray:
    """n random 48-bit trial ids whose first 32 bits (the config_uid) are unique."""
    uids = rng.integers(0, 1 << 48, size=n, dtype=np.int64)
    while True:
        _, first = np.unique(uids >> 16, return_index=True)
        if len(first) == n:
            return uids
        dup = np.setdiff1d(np.arange(n), first)
        uids[dup] = rng.integers(0, 1 << 48, size=len(dup), dtype=np.int64)


def sample_attributes(rng: np.random.Generator, n: int, algo: str, rho: float = TPE_RHO
                      ) -> tuple[np.ndarray, ...]:
    """num_filter1, num_filter2, lr, activation index for n trials (``rho``: the copula
    correlation of num_filter1 with lr under tpe)."""
    if algo == "tpe":
        z = rng.standard_normal((n, 3))
        z[:, 0] = rho * z[:, 2] + math.sqrt(1 - rho**2) * z[:, 0]
        u = 0.5 * (1.0 + np.asarray(np.frompyfunc(math.erf, 1, 1)(z / math.sqrt(2)), dtype=float))
    else:
        u = rng.random((n, 3))
    nf1 = np.rint(32 + 96 * u[:, 0]).astype(int)
    nf2 = np.rint(64 + 192 * u[:, 1]).astype(int)
    lr = np.clip(10.0 ** (-4 + 3 * u[:, 2]), 1e-4, 0.1)
    return nf1, nf2, lr, rng.integers(0, len(LEVELS), size=n)


def _statuses(
    rng: np.random.Generator, n: int, running: int, broken: int, failed: int
) -> list[str]:
    """Per-trial status: running trials last, the rest shuffled; broken kinds cycle."""
    head = (
        ["failed"] * failed + ["broken"] * broken + ["complete"] * (n - running - failed - broken)
    )
    statuses = [head[i] for i in rng.permutation(len(head))] + ["running"] * running
    kinds = iter(list(BROKEN_KINDS) * (broken // len(BROKEN_KINDS) + 1))
    return [next(kinds) if s == "broken" else s for s in statuses]



@dataclass(frozen=True)
class Simulation:
    """Every trial's sampled values and per-epoch metrics (epochs + 1 columns)."""

    names: list[str]
    statuses: list[str]
    values: list[dict[str, Any]]
    asymptote: np.ndarray
    metrics: np.ndarray  # (trial, epoch, val_loss/val_accuracy/train_loss/train_accuracy)
    best_at: np.ndarray  # the epoch index of the best val_loss so far
    start: np.ndarray
    stamps: np.ndarray
    rows: list[int]  # rows written to results.json
    diverged: list[float]  # the last row's val_loss token of failed trials (NaN or Infinity)
    cuts: np.ndarray  # where a running trial's partial row is cut, as a fraction
    junk: bytes
    diverged_trials: list[str] = field(default_factory=list)  # see ``diverge``
    seed_effect: np.ndarray | None = None  # each trial's draw around its planted asymptote
    progress: np.ndarray | None = None  # (trial, epoch) fraction of the asymptote reached


def simulate(
    rng: np.random.Generator,
    trials: int,
    epochs: int,
    algo: str,
    noise: float,
    counts: tuple[int, int, int],
    repeats: Repeats | None = None,
) -> Simulation:
    """Draw everything, vectorised; ``counts`` is (running, broken, failed); ``repeats``: the
    configurations are run several times (see ``repeats``)."""
    n, e1 = trials, epochs + 1  # one extra epoch: the partial row of running trials
    uids = _uids(rng, n)
    names = [f"{u >> 32:04x}_{(u >> 16) & 0xFFFF:04x}_{u & 0xFFFF:04x}" for u in uids.tolist()]
    statuses = _statuses(rng, n, *counts)
    if repeats is None:
        nf1, nf2, lr, act = sample_attributes(rng, n, algo)
    else:
        (nf1, nf2, lr, act), speed = repeats.sample(n, algo)
    seed_effect = (noise if repeats is None else repeats.seed_noise) * rng.standard_normal(n)
    offsets = np.array([OFFSETS[level] for level in LEVELS])
    asymptote = (
        BASE_ACCURACY
        + SLOPES[NF1] * (nf1 - REFERENCE[NF1])
        + SLOPES[NF2] * (nf2 - REFERENCE[NF2])
        + SLOPES[LR] * (np.log10(lr) - math.log10(REFERENCE[LR]))
        + offsets[act]
        + seed_effect
    )
    frac = 1.0 - np.exp(-np.arange(1, e1 + 1) / (epochs / 4))
    if repeats is not None:
        from .repeats import progress

        frac = progress(speed, epochs)
    clean = CHANCE + (asymptote[:, None] - CHANCE) * frac
    eps = noise * rng.standard_normal((4, n, e1))
    # accuracies count correct samples of 1024; losses are float32, as torch reports them
    val_acc = np.rint(np.clip(clean + eps[0], 0.0, 1.0) * 1024) / 1024
    train_acc = np.rint(np.clip(clean + 0.02 * frac + eps[1], 0.0, 1.0) * 1024) / 1024
    val_loss = np.maximum(-np.log(np.maximum(val_acc, 1e-3)) + eps[2], 1e-6).astype(np.float32)
    train_loss = np.maximum(-np.log(np.maximum(train_acc, 1e-3)) + eps[3], 1e-6).astype(np.float32)
    best_loss = np.minimum.accumulate(val_loss, axis=1)
    secs = (nf1 + nf2)[:, None] / 100 * rng.uniform(0.8, 1.2, (n, e1))
    start = T0 + 10 + 5.0 * np.arange(n) + rng.uniform(0, 1, n)
    short = rng.integers(1, max(epochs, 2), size=n).tolist()  # rows of running/failed trials
    failed_order = np.cumsum([s == "failed" for s in statuses]).tolist()
    return Simulation(
        names=names,
        statuses=statuses,
        values=[
            {NF1: a, NF2: b, LR: c, ACT: LEVELS[d]}
            for a, b, c, d in zip(
                nf1.tolist(), nf2.tolist(), lr.tolist(), act.tolist(), strict=True
            )
        ],
        asymptote=asymptote,
        metrics=np.stack([val_loss, val_acc, train_loss, train_acc], axis=-1, dtype=float),
        best_at=np.maximum.accumulate(np.where(val_loss == best_loss, np.arange(e1), 0), axis=1),
        start=start,
        stamps=start[:, None] + np.cumsum(secs, axis=1),
        rows=[
            r if s in ("running", "failed") else epochs
            for r, s in zip(short, statuses, strict=True)
        ],
        diverged=[math.nan if c % 2 else math.inf for c in failed_order],
        cuts=rng.random(n),
        junk=rng.bytes(64 * n),
        seed_effect=seed_effect,
        progress=np.broadcast_to(frac, (n, e1)),
    )




# --- Option: an optimizer subspace (sgd with a fixed lr, adam with a searched lr) ----------
# ABLATOR declares it as one search-space entry whose ``subspaces`` list the branches, each a
# whole SearchSpace with a ``sub_configuration``; a searched attribute nested in a branch is a
# SearchSpace inside its arguments. ABLATOR picks the branch uniformly at random for each
# trial, under every search algorithm, and writes the chosen mapping as the trial's
# ``train_config.optimizer_config``.

OPT = "train_config.optimizer_config"
BRANCHES = ("sgd", "adam")
SGD_LR = 0.01
# Planted: each branch's effect against adam at the reference lr; lr acts only under adam.
BRANCH_OFFSETS = {"sgd": -0.04, "adam": 0.0}


def _branch_config(branch: str, lr: Any) -> dict[str, Any]:
    """The optimizer_config mapping a trial of ``branch`` gets (lr: the sampled value)."""
    if branch == "sgd":
        return {"name": "sgd", "arguments": {"lr": lr, "momentum": 0.9, "weight_decay": 0.0}}
    return {"name": "adam", "arguments": {"lr": lr, "betas": [0.9, 0.999], "weight_decay": 0.0}}


def _subspace_spec() -> dict[str, Any]:
    """The optimizer subspace as ABLATOR writes it: every field of every SearchSpace."""
    branches = []
    for branch in BRANCHES:
        lr: Any = SGD_LR if branch == "sgd" else _spec(["0.0001", "0.1"], "float", log=True)
        branches.append(dict(_spec(None, "float"), sub_configuration=_branch_config(branch, lr)))
    return dict(_spec(None, "float"), subspaces=branches)


def with_subspace(master: dict[str, Any]) -> dict[str, Any]:
    """The master config with the lr attribute replaced by the optimizer subspace."""
    space = {(OPT if name == LR else name): (_subspace_spec() if name == LR else spec)
             for name, spec in master["search_space"].items()}
    return dict(master, search_space=space)


def choose_branches(sim: Simulation, rng: np.random.Generator) -> Simulation:
    """Each trial's branch, drawn uniformly; sgd trials get the fixed lr and, in place of the lr
    effect, sgd's planted offset (their curves shifted to the new asymptote)."""
    chosen = rng.integers(0, len(BRANCHES), size=len(sim.values))
    lr = np.array([v[LR] for v in sim.values])
    sgd = chosen == BRANCHES.index("sgd")
    delta = np.where(sgd, BRANCH_OFFSETS["sgd"] - SLOPES[LR] * (np.log10(lr)
                                                               - math.log10(REFERENCE[LR])), 0.0)
    values = [dict(v, **{OPT: BRANCHES[c]}, **({LR: SGD_LR} if BRANCHES[c] == "sgd" else {}))
              for v, c in zip(sim.values, chosen.tolist(), strict=True)]
    return _shifted(replace(sim, values=values), delta)


def _shifted(sim: Simulation, delta: np.ndarray) -> Simulation:
    """``sim`` with each trial's asymptote moved by ``delta``: accuracies move by delta times
    the curve's progress (rounded to the 1/1024 grid again), losses by the log ratio."""
    e1 = sim.metrics.shape[1]
    epochs = e1 - 1
    frac = 1.0 - np.exp(-np.arange(1, e1 + 1) / (epochs / 4))
    metrics = sim.metrics.copy()
    for acc, loss in ((1, 0), (3, 2)):
        old = metrics[:, :, acc]
        new = np.rint(np.clip(old + delta[:, None] * frac, 0.0, 1.0) * 1024) / 1024
        shift = np.log(np.maximum(old, 1e-3)) - np.log(np.maximum(new, 1e-3))
        metrics[:, :, loss] = np.maximum(metrics[:, :, loss] + shift, 1e-6).astype(np.float32)
        metrics[:, :, acc] = new
    best = np.minimum.accumulate(metrics[:, :, 0], axis=1)
    best_at = np.maximum.accumulate(np.where(metrics[:, :, 0] == best, np.arange(e1), 0), axis=1)
    return replace(sim, metrics=metrics, best_at=best_at, asymptote=sim.asymptote + delta)
