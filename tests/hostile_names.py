"""A small ABLATOR experiment written by hand whose metric and attribute names are chosen by
the test (hostile names: path separators, ``..``, NUL, 300 characters, ...)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import yaml

HOSTILE_NAMES = [
    "../../x",
    "../../../../../../tmp/escaped",
    "/abs/x",
    "a/b",
    "..",
    ".",
    ".hidden",
    "x" * 300,
    "é" * 200,
    "nul\x00byte",
    "new\nline",
    "with space",
    "température",
    "準確度",
    "Val_Loss",
    "val_loss",
    "a?b",
    "a*b",
    "CON",
    "-dash",
    "back\\slash",
    "",
]


def write_experiment(folder: Path, *, metrics: dict[str, str], numerical: list[str],
                     categorical: list[str], trials: int = 6, epochs: int = 3,
                     seed: int = 0) -> Path:
    """An experiment folder with ``trials`` complete trials: ``metrics`` (name -> min|max) in
    every results.json row, each numerical attribute in [1, 10], each categorical one in
    {a, b}; the attributes are top-level config keys named as given."""
    rng = random.Random(seed)
    space = {name: {"value_range": ["1", "10"], "value_type": "float", "log": False}
             for name in numerical}
    space |= {name: {"categorical_values": ["a", "b"]} for name in categorical}
    master = {"experiment_id": "hostile", "random_seed": seed, "train_config": {"epochs": epochs},
              "optim_metrics": metrics, "optim_metric_name": next(iter(metrics), None),
              "search_algo": "random", "total_trials": trials, "search_space": space}
    folder.mkdir(parents=True)
    (folder / "master_config.yaml").write_text(yaml.safe_dump(master), encoding="utf-8")
    for t in range(trials):
        values = {n: rng.uniform(1, 10) for n in numerical}
        values |= {n: ("a", "b")[t % 2] for n in categorical}
        trial = folder / f"{t:04x}_0000_{t:04x}"
        trial.mkdir()
        config = {**master, "search_space": space, **values}
        (trial / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        rows = [{**{m: rng.random() + step for m in metrics}, "current_epoch": step + 1}
                for step in range(epochs)]
        (trial / "results.json").write_text(json.dumps(rows), encoding="utf-8")
    return folder
