"""Plain functions and constants shared by the test modules (conftest.py re-exports them and
builds its fixtures on them): where the fixtures live, a snapshot of the contract tables,
experiment folders read with json and yaml alone (the best/last rules in plain Python),
hand-made experiment folders and TrialData."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import yaml

import ablation_sql as asql
from ablation_sql.effects.data import TrialData
from ablation_sql.synthetic import Truth, generate_experiment

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REAL_EXPERIMENT = FIXTURES / "ablator-real" / "tutorial-tpe"
EXPECTED = FIXTURES / "ablator-expected"

# conftest's ``synthetic`` fixture: (name="exp", **generate_experiment_arguments) -> (folder, truth)
Synthetic = Callable[..., tuple[Path, Truth]]


def copy_tree(source: Path, target: Path) -> Path:
    """Copy a folder with writable permissions (a checkout may be read-only)."""
    shutil.copytree(source, target, copy_function=shutil.copyfile)
    return target


# --- the contract tables --------------------------------------------------------------------

CONTRACT_TABLES = ("experiments", "trials", "params", "metrics", "metrics_other", "search_space",
                   "optim_metrics", "ingest_errors")
VOLATILE = {"ingested_at", "seen_at"}


def snapshot(con: duckdb.DuckDBPyConnection, *, volatile: bool = True) -> dict[str, list]:
    """Every row of every contract table, sorted; without timestamps unless ``volatile``."""
    tables = {}
    for table in CONTRACT_TABLES:
        columns = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position", [table]).fetchall()
            if volatile or c not in VOLATILE]
        select = ", ".join(f'"{c}"' for c in columns)
        tables[table] = con.execute(f"SELECT {select} FROM {table} ORDER BY ALL").fetchall()
    return tables


DB_STATUS = {"COMPLETE": "complete", "RUNNING": "running", "FAIL": "failed"}


# --- reading experiment folders without the package ------------------------------------------

def flat(config: dict, prefix: str = "") -> dict[str, Any]:
    """Dotted keys; lists and empty mappings are values."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            out.update(flat(value, name + "."))
        else:
            out[name] = value
    return out


def read_rows(path: Path) -> list[dict]:
    """The complete objects of a results.json (also of one cut mid-write); [] if unreadable."""
    try:
        text = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return []
    if not text.startswith("["):
        return []
    decoder, rows, i = json.JSONDecoder(), [], 1
    while True:
        while i < len(text) and text[i] in " \t\r\n,":
            i += 1
        if i >= len(text) or text[i] == "]":
            return rows
        try:
            row, i = decoder.raw_decode(text, i)
        except ValueError:
            return rows
        rows.append(row)


def read_config(path: Path) -> dict | None:
    try:
        config = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return config if isinstance(config, dict) else None


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Folder:
    """One experiment folder read with json and yaml: configs, metric rows, declarations."""

    def __init__(self, path: Path, experiment_id: str | None = None):
        self.path = path
        self.experiment_id = experiment_id or path.name
        self.master = read_config(path / "master_config.yaml") or {}
        self.configs: dict[str, dict] = {}
        rows = []
        self.trials = sorted(p.name for p in path.iterdir()
                             if p.is_dir() and ((p / "config.yaml").exists()
                                                or (p / "results.json").exists()))
        for uid in self.trials:
            config = read_config(path / uid / "config.yaml")
            if config is not None:
                self.configs[uid] = flat(config)
            for step, row in enumerate(read_rows(path / uid / "results.json")):
                for name, value in row.items():
                    if is_number(value):
                        rows.append((uid, step, name, float(value)))
        self.metrics = pd.DataFrame(rows, columns=["trial_uid", "step", "name", "value"])
        self.directions = {str(k): str(v) for k, v in (self.master.get("optim_metrics")
                                                       or {}).items()}
        self.space = self.master.get("search_space") or {}
        self._values: dict[str, dict[str, list[tuple[int, float]]]] = {}

    def values(self, metric: str) -> dict[str, list[tuple[int, float]]]:
        """(step, value) of a metric per trial, NaN kept."""
        if metric not in self._values:
            m = self.metrics[self.metrics.name == metric]
            self._values[metric] = {uid: list(zip(g.step.tolist(), g.value.tolist(),
                                                  strict=True))
                                    for uid, g in m.groupby("trial_uid")}
        return self._values[metric]

    def attribute(self, uid: str, name: str) -> Any:
        return self.configs.get(uid, {}).get(name)


def best(pairs: list[tuple[int, float]], direction: str) -> tuple[float | None, int | None]:
    """The trial_best rule in plain Python: NaN never; infinities only if nothing else."""
    valid = [(s, v) for s, v in pairs if not math.isnan(v)]
    finite = [(s, v) for s, v in valid if math.isfinite(v)]
    pool = finite or valid
    if not pool:
        return None, None
    target = (max if direction == "max" else min)(v for _, v in pool)
    return target, min(s for s, v in pool if v == target)


def last(pairs: list[tuple[int, float]]) -> tuple[float | None, int | None]:
    valid = [(s, v) for s, v in pairs if not math.isnan(v)]
    return (valid[-1][1], valid[-1][0]) if valid else (None, None)


def reduce_trial(folder: Folder, uid: str, metric: str, reduction: str = "best", *,
                 k: int = 5, at_step: int | None = None, by_metric: str | None = None,
                 direction: str | None = None) -> float | None:
    """One trial's value under a reduction, from the files."""
    pairs = folder.values(metric).get(uid, [])
    direction = direction or folder.directions.get(metric)
    if reduction == "best":
        return best(pairs, direction)[0]
    if reduction == "last":
        return last(pairs)[0]
    if reduction == "mean_last":
        valid = [v for _, v in pairs if not math.isnan(v)][-k:]
        return float(np.mean(valid)) if valid else None
    if reduction == "at_step":
        found = [v for s, v in pairs if s == at_step and not math.isnan(v)]
        return found[0] if found else None
    if reduction == "at_best":
        _, step = best(folder.values(by_metric).get(uid, []), folder.directions[by_metric])
        found = [v for s, v in pairs if s == step and not math.isnan(v)]
        return found[0] if found else None
    raise ValueError(reduction)


def write_experiment(path: Path, master: dict, trials: dict[str, tuple[dict | None, Any]]
                     ) -> Path:
    """A hand-made ABLATOR folder: ``trials`` maps a folder name to (config, results) where
    results is a list of rows (written like ABLATOR, NaN/Infinity tokens) or raw text."""
    path.mkdir(parents=True)
    (path / "master_config.yaml").write_text(yaml.safe_dump(master, sort_keys=False))
    for uid, (config, results) in trials.items():
        (path / uid).mkdir()
        if config is not None:
            (path / uid / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        text = results if isinstance(results, str) else json.dumps(results, indent=0)
        (path / uid / "results.json").write_text(text)
    return path


def plain(value: Any) -> Any:
    """None for every kind of missing value (None, NaN, pd.NA), else the value."""
    return None if not isinstance(value, list | dict) and pd.isna(value) else value


def build_database(folder: Path) -> tuple[Path, dict[str, Folder], dict[str, Any]]:
    """The real experiment and two synthetic ones (one with running, failed and broken
    trials) ingested into ``folder/db.duckdb``."""
    random_dir = folder / "synth-random"
    tpe_dir = folder / "synth-tpe"
    truths = {
        "synth-random": generate_experiment(random_dir, trials=60, epochs=8, seed=3, running=2,
                                            failed=4, broken=6),
        "synth-tpe": generate_experiment(tpe_dir, trials=36, epochs=6, algo="tpe", seed=4),
    }
    path = folder / "db.duckdb"
    with asql.connect(path) as db:
        db.ingest(REAL_EXPERIMENT, random_dir, tpe_dir, workers=1)
    folders = {"tutorial-tpe": Folder(REAL_EXPERIMENT), "synth-random": Folder(random_dir),
               "synth-tpe": Folder(tpe_dir)}
    return path, folders, truths


# --- hand-built trial data ------------------------------------------------------------------

def trial_data(columns: dict[str, list], *, numerical: list[str], categorical: list[str],
               log: dict[str, bool] | None = None, algo: str | None = "random",
               reasons: list | None = None) -> TrialData:
    """A hand-built TrialData with the given attribute columns."""
    n = len(next(iter(columns.values())))
    reasons = reasons or [None] * n
    frame = pd.DataFrame({
        "trial_uid": [f"t{i}" for i in range(n)],
        "status": ["complete" if r is None else r for r in reasons],
        "value": [0.5] * n,
        "reason": pd.Series(reasons, dtype=object),
        **{name: pd.Series(values, dtype=float if name in numerical else object)
           for name, values in columns.items()},
    })
    return TrialData(
        experiment_id="e", metric="m", direction="min", policy="best", frame=frame,
        numerical=numerical, categorical=categorical,
        log={name: bool((log or {}).get(name)) for name in numerical},
        categories={name: sorted({v for v in columns[name] if v is not None})
                    for name in categorical},
        defaults={}, search_algo=algo,
    )
