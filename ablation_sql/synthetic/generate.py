"""Synthetic ABLATOR experiment folders with planted effects, for tests and benchmarks.

``generate_experiment`` writes, byte for byte as ABLATOR would, what ``synthetic.model``
simulates (the planted effects are described there) and returns the planted ``Truth``.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from .formats import FORMATS, write_format
from .model import (
    ACT,
    BASE_ACCURACY,
    BRANCH_OFFSETS,
    LR,
    MODEL,
    NF1,
    NF2,
    OFFSETS,
    OPT,
    REFERENCE,
    SLOPES,
    STATUS_STATE,
    STEPS_PER_EPOCH,
    T0,
    Simulation,
    master_config,
    simulate,
    with_values,
)
from .options import apply_options, diverge
from .planted import baseline
from .repeats import make_repeats, repeat_truth
from .state_db import write_state_db

__all__ = ["generate_experiment", "Truth"]


_ROW = (  # one results.json row as json.dumps(row, indent=0) writes it; %s are repr strings
    '{\n"val_loss": %s,\n"val_accuracy": %s,\n"train_loss": %s,\n"best_iteration": %s,\n'
    '"best_val_loss": %s,\n"current_epoch": %s,\n"current_iteration": %s,\n"epochs": EPOCHS,\n'
    '"learning_rate": LR,\n"total_steps": STEPS,\n"train_accuracy": %s,\n"timestamp": %s\n}'
)
_PH = {key: f"SYNTHPH{i}Q" for i, key in enumerate(("dir", NF1, NF2, LR, ACT))}
_SEED_PH = "SYNTHSEEDQ"  # a trial's random_seed, when configurations are repeated


@dataclass(frozen=True)
class Truth:
    """What was planted: effects on asymptotic val_accuracy, statuses and sampled configs.

    ``slopes`` are per unit (lr: per log10 unit) around ``reference``; ``offsets`` are per
    activation level relative to relu. ``statuses`` maps each trial folder (in trial-id order)
    to complete/running/failed or a broken kind; ``db_states`` to its TrialState name.
    """

    algo: str
    seed: int
    epochs: int
    noise: float
    base_accuracy: float
    slopes: dict[str, float]
    reference: dict[str, float]
    offsets: dict[str, dict[str, float]]
    null_attribute: str
    experiment_dir: str
    state_db: str | None
    statuses: dict[str, str]
    db_states: dict[str, str]
    configs: dict[str, dict[str, Any]]
    asymptotes: dict[str, float]
    diverged: list[str] = field(default_factory=list)  # complete trials made to diverge
    interaction: bool = False  # planted.py: lr's slope changes sign under elu
    baseline: dict[str, Any] = field(default_factory=dict)  # the master config's values
    # Repeats (``repeats``): seeds per configuration, seed noise sd, each trial's random_seed,
    # configuration number, planted asymptote and noise-free val_accuracy per epoch.
    seeds: int = 1
    seed_noise: float = 0.0
    trial_seeds: dict[str, int] = field(default_factory=dict)
    configuration: dict[str, int] = field(default_factory=dict)
    planted: dict[str, float] = field(default_factory=dict)
    curves: dict[str, list[float]] = field(default_factory=dict)

    def to_json(self) -> str:
        """The truth as a JSON document."""
        return json.dumps(asdict(self), indent=1)


def _dump(config: dict[str, Any]) -> str:
    """YAML as OmegaConf writes it: keys unsorted, block style, no line wrapping."""
    return yaml.safe_dump(config, sort_keys=False, width=1 << 20, allow_unicode=True)


def _yaml_float(x: float) -> str:
    """A float as PyYAML writes it (so it reads back as a float)."""
    text = repr(x).lower()
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def _write(path: str, data: bytes) -> None:
    """Write bytes to a new file (os-level: many small files, little overhead)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _stamp(ts: float) -> str:
    """ABLATOR's log time format (UTC, so output does not depend on the machine)."""
    return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _results(sim: Simulation, i: int, row: str) -> tuple[bytes, int, int]:
    """results.json bytes of trial i, with its last row's iteration and best iteration.

    ``row`` is ``_ROW`` with the experiment's constants filled in.
    """
    status, k = sim.statuses[i], sim.rows[i]
    n = k + (status == "running")  # a running trial also writes part of its next row
    metrics = [list(map(repr, col)) for col in sim.metrics[i, :n].T.tolist()]
    stamps = list(map(repr, sim.stamps[i, :n].tolist()))
    best_at = sim.best_at[i, :n].tolist()
    best_iter = [(b + 1) * STEPS_PER_EPOCH for b in best_at]
    val_loss, val_acc, train_loss, train_acc = metrics
    row = row.replace("LR", repr(sim.values[i][LR]))
    rows = [
        row % r
        for r in zip(
            val_loss,
            val_acc,
            train_loss,
            best_iter,
            [val_loss[b] for b in best_at],
            range(1, n + 1),
            range(STEPS_PER_EPOCH, (n + 1) * STEPS_PER_EPOCH, STEPS_PER_EPOCH),
            train_acc,
            stamps,
            strict=True,
        )
    ]
    if status == "failed":  # the last evaluation diverged; best_* keep the previous values
        last = json.loads(rows[-1])
        last["val_loss"] = sim.diverged[i]
        last["best_iteration"] = best_iter[k - 2] if k > 1 else 0
        last["best_val_loss"] = float(val_loss[best_at[k - 2]]) if k > 1 else math.inf
        best_iter[k - 1] = last["best_iteration"]
        rows[-1] = json.dumps(last, indent=0)
    if status == "running":  # killed while appending row k + 1: no closing bracket
        rows[-1] = rows[-1][: 2 + int(sim.cuts[i] * (len(rows[-1]) - 3))]
    text = "[" + ",\n".join(rows) + ("" if status == "running" else "]")
    junk = sim.junk[64 * i : 64 * i + 62]
    data = {
        "garbage_results": b"\x00\xff" + junk,
        "empty_results": b"",
        "empty_list_results": b"[]",
    }.get(status)
    return data if data is not None else text.encode(), k * STEPS_PER_EPOCH, best_iter[k - 1]


def _config(template: str, name: str, values: dict[str, Any], status: str) -> bytes | None:
    """config.yaml bytes of a trial (None: missing), rendered from the placeholder template."""
    if status == "missing_config":
        return None
    if status == "non_mapping_config":
        return b"- model_config\n- train_config\n"
    text = (
        template.replace(_PH["dir"], name)
        .replace(_PH[NF1], str(values[NF1]))
        .replace(_PH[NF2], str(values[NF2]))
        .replace(_PH[LR], _yaml_float(values[LR]))
        .replace(_PH[ACT], values[ACT])
    )
    if status == "non_utf8_config":
        return text.encode().replace(b"synthetic", "synthétic".encode("latin-1"))
    return text.encode()


def _write_trial(sim: Simulation, i: int, out: Path, template: str, row: str) -> None:
    """Write one trial folder."""
    name, status = sim.names[i], sim.statuses[i]
    tdir = f"{out}/{name}"
    for sub in ("", "/dashboard", "/dashboard/tensorboard", "/checkpoints"):
        os.mkdir(tdir + sub)
    config = _config(template, name, sim.values[i], status)
    if config is not None:
        _write(f"{tdir}/config.yaml", config)
    results, last, best = _results(sim, i, row)
    _write(f"{tdir}/results.json", results)
    k = sim.rows[i]
    meta = {
        "log_iteration": k,
        "checkpoint_iteration": {"recent": {MODEL: last}, "best": {MODEL: best}},
    }
    _write(f"{tdir}/metadata.json", json.dumps(meta).encode())
    t0, t1 = _stamp(float(sim.start[i])), _stamp(float(sim.stamps[i, k - 1]))
    val_loss, val_acc = sim.metrics[i, k - 1, :2].tolist()
    log = (
        f"Starting Logger {t0} \n{t0}: Model directory: {tdir}\n{t0}: Creating new model\n"
        f"{t1}: Evaluation Step [{k}] val_loss: {val_loss:.2e} val_accuracy: {val_acc:.2e} "
        f"current_epoch: {k:08d} current_iteration: {last:08d}\n"
    )
    if status == "failed":
        log += _failure_log(t1, sim.diverged[i])
    _write(f"{tdir}/train.log", log.encode())
    junk = sim.junk[64 * i : 64 * i + 64]
    _write(f"{tdir}/dashboard/tensorboard/events.out.tfevents.{int(sim.start[i])}.vm", junk[:32])
    _write(f"{tdir}/checkpoints/{MODEL}_{last}.pt", junk[32:])


# ---- the traceback a failed trial's train.log ends with ----------------------------------------
_RED, _RESET = "\x1b[91m", "\x1b[0m"


def _failure_log(stamp: str, loss: float) -> str:
    """What ABLATOR appends to a failed trial's train.log: the traceback of the exception that
    stopped it, in red, its last line naming the exception (here: the loss diverged)."""
    token = "nan" if math.isnan(loss) else repr(loss)
    return (
        f"{stamp}: {_RED}Traceback (most recent call last):\n"
        '  File "ablator/main/model/wrapper.py", line 521, in train\n'
        "    self._validation_loop(model, dataloader, metrics, subset)\n"
        '  File "ablator/main/model/wrapper.py", line 602, in _is_step\n'
        "    raise LossDivergedError(msg)\n"
        f"ablator.modules.metrics.main.LossDivergedError: Loss Diverged. Current loss: {token}"
        f"{_RESET}\n"
    )
# ---- end of the failure traceback ----------------------------------------------------------------


def generate_experiment(
    out: str | Path,
    *,
    trials: int = 50,
    epochs: int = 10,
    algo: str = "random",
    seed: int = 0,
    running: int = 0,
    broken: int = 0,
    failed: int = 0,
    state_db: bool = True,
    noise: float = 0.01,
    diverged: str | None = None,
    subspace: bool = False,
    always_fail: str | None = None,
    format: str = "ablator",
    interaction: bool = False,
    seeds: int = 1,
    seed_noise: float | None = None,
    speed_spread: float = 0.0,
    configurations_seed: int | None = None,
    tpe_rho: float | None = None,
) -> Truth:
    """Write an ABLATOR-shaped experiment folder into ``out`` (new or empty); return the truth.

    ``diverged`` ("activation=elu:6") makes that many complete trials of that level diverge
    (``model.diverge``). ``subspace``: the learning rate becomes an optimizer
    subspace (sgd with a fixed lr, adam with the searched lr; see ``model``).
    ``always_fail``: ``attribute=level`` (a declared level of a categorical attribute or
    subspace, the attribute by its full or last dotted name): every trial of that level that
    would complete fails. ``format``: one of ``formats.FORMATS`` (an Optuna storage, a Ray
    Tune folder or an MLflow file store in ``out`` instead of ABLATOR's folder; complete,
    running and failed trials only). ``interaction``: lr's effect changes sign under elu
    (``planted``). ``seeds``: each of the ``trials`` sampled configurations is run that
    many times (``trials * seeds`` folders), each with its own ``random_seed`` and a seed
    effect ``N(0, seed_noise)`` (default ``noise``); ``speed_spread``: configurations learn at
    different speeds; experiments given one ``configurations_seed`` share configurations;
    ``tpe_rho``: TPE's correlation of num_filter1 with lr (see ``repeats``).
    Raises FileExistsError if ``out`` is not empty, ValueError on bad arguments.
    """
    check_format(format, broken, subspace, always_fail)
    if algo not in ("random", "tpe"):
        raise ValueError(f"algo must be 'random' or 'tpe', not {algo!r}")
    if trials < 1 or epochs < 1 or min(running, broken, failed) < 0 or noise < 0:
        raise ValueError("trials and epochs must be >= 1; running, broken, failed, noise >= 0")
    repeats = make_repeats(seed, seeds, noise if seed_noise is None else seed_noise,
                           speed_spread, configurations_seed, tpe_rho)
    trials *= seeds
    if running + broken + failed > trials:
        raise ValueError("running + broken + failed exceeds the number of trials")
    out = Path(out).absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise FileExistsError(f"{out} exists and is not an empty directory")
    out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(seed)
    sim = simulate(rng, trials, epochs, algo, noise, (running, broken, failed), repeats)
    if diverged is not None:
        sim = diverge(sim, *parse_diverge(diverged), seed=seed)
    db_name = "{:04x}_{:04x}_state.db".format(*rng.integers(0, 1 << 16, size=2).tolist())
    master = master_config(out, trials, epochs, algo, seed, max(2, running))
    sim, master = apply_options(sim, master, seed, subspace, always_fail, interaction)
    trial_seeds = repeats.trial_seeds(seed, trials) if repeats else []
    if format != "ablator":
        write_format(format, out, sim, trial_seeds)
    else:
        (out / "master_config.yaml").write_text(_dump(master), encoding="utf-8")
        placeholders = {key: ph for key, ph in _PH.items() if key != "dir"}
        template = _dump(with_values(master, placeholders, f"{out}/{_PH['dir']}"))
        templates = (_branch_templates(master, placeholders, f"{out}/{_PH['dir']}")
                     if subspace else {})
        row = _ROW.replace("EPOCHS", str(epochs)).replace("STEPS", str(epochs * STEPS_PER_EPOCH))
        if repeats:
            template = _dump(with_values(dict(master, random_seed=_SEED_PH), placeholders,
                                         f"{out}/{_PH['dir']}"))
        for i in range(trials):
            branch = sim.values[i].get(OPT)
            text = template if branch is None else templates.get(branch, template)
            if repeats:
                text = text.replace(_SEED_PH, str(trial_seeds[i]))
            _write_trial(sim, i, out, text, row)
        (out / "mp.log").write_text(f"Starting Logger {_stamp(T0)} \n", encoding="utf-8")
    if state_db and format == "ablator":
        write_state_db(out / db_name, sim, master)
    return Truth(
        algo=algo,
        seed=seed,
        epochs=epochs,
        noise=noise,
        base_accuracy=BASE_ACCURACY,
        slopes=dict(SLOPES),
        reference=dict(REFERENCE),
        offsets={ACT: dict(OFFSETS)} | ({OPT: dict(BRANCH_OFFSETS)} if subspace else {}),
        null_attribute=NF1,
        experiment_dir=str(out),
        state_db=db_name if state_db and format == "ablator" else None,
        statuses=dict(zip(sim.names, sim.statuses, strict=True)),
        db_states={name: STATUS_STATE[s] for name, s in zip(sim.names, sim.statuses, strict=True)},
        configs=dict(zip(sim.names, sim.values, strict=True)),
        asymptotes=dict(zip(sim.names, sim.asymptote.tolist(), strict=True)),
        diverged=list(sim.diverged_trials),
        interaction=interaction,
        baseline=baseline(subspace),
        **repeat_truth(sim, repeats, trial_seeds),
    )


def check_format(format: str, broken: int, subspace: bool, always_fail: str | None) -> None:
    """ValueError when ``format`` is unknown or cannot hold what is asked."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if format != "ablator" and (broken or subspace or always_fail):
        raise ValueError("broken files, subspaces and always-failing levels are written in "
                         "ABLATOR's format only")


def parse_diverge(text: str) -> tuple[str, str, int]:
    """``ATTRIBUTE=LEVEL:COUNT`` as its parts; ValueError when malformed."""
    attribute, _, rest = text.partition("=")
    level, _, count = rest.rpartition(":")
    if not attribute or not level or not count.isdigit():
        raise ValueError(f"--diverge takes ATTRIBUTE=LEVEL:COUNT (activation=elu:6), not {text!r}")
    return attribute, level, int(count)


# --- Options: the optimizer subspace, a level whose trials always fail ----------------------


def _branch_templates(master: dict[str, Any], placeholders: dict[str, str], trial_dir: str
                      ) -> dict[str, str]:
    """One config.yaml template per optimizer branch."""
    search = master["search_space"][OPT]["subspaces"]
    return {b["sub_configuration"]["name"]: _dump(with_values(
        master, placeholders | {OPT: b["sub_configuration"]["name"]}, trial_dir))
        for b in search}
