"""A small experiment to spoil one element at a time, and the checks every hostile case shares."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import duckdb

from ablation_sql.state_db import state_blob

GOOD = ("1_aa_01", "2_bb_02", "3_cc_03")
EPOCHS = 3
MASTER = """experiment_id: hostile
search_algo: random
total_trials: 4
random_seed: 7
optim_metrics:
  val_loss: min
search_space:
  train_config.lr:
    value_range: [0.001, 0.1]
    value_type: float
  model_config.act:
    categorical_values: [relu, elu]
"""


def trial_config(i: int) -> str:
    return (f"train_config:\n  lr: 0.0{i + 1}\n  epochs: {EPOCHS}\n"
            f"model_config:\n  act: {'relu' if i % 2 else 'elu'}\n")


def trial_results(i: int) -> str:
    rows = [{"val_loss": 1.0 / (i + step + 1), "current_epoch": step + 1, "epochs": EPOCHS}
            for step in range(EPOCHS)]
    return json.dumps(rows)


def write_trial(folder: Path, i: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(trial_config(i))
    (folder / "results.json").write_text(trial_results(i))
    (folder / "metadata.json").write_text(json.dumps({"seed": i}))
    return folder


def build_experiment(root: Path, *, bad: bool = True) -> Path:
    """Three good trials and, when ``bad``, a fourth (``4_dd_04``) for a case to spoil."""
    root.mkdir(parents=True)
    (root / "master_config.yaml").write_text(MASTER)
    for i, uid in enumerate(GOOD):
        write_trial(root / uid, i)
    if bad:
        write_trial(root / "4_dd_04", 3)
    return root


def write_state_db(path: Path, rows: list[tuple[str, bytes | None, int]]) -> None:
    """A minimal ABLATOR state db: (config_uid, state pickle, runtime_errors) per trial."""
    with closing(sqlite3.connect(path)) as con:
        con.execute("CREATE TABLE trial (config_uid TEXT, state BLOB, runtime_errors INTEGER)")
        con.executemany("INSERT INTO trial VALUES (?, ?, ?)", rows)
        con.commit()


def complete_state() -> bytes:
    return state_blob(1)


def good_trials_ingested(db: Path, uids: tuple[str, ...] = GOOD) -> None:
    """Every good trial is there, with all its metric rows and its params."""
    with duckdb.connect(str(db), read_only=True) as con:
        for uid in uids:
            steps = con.execute("SELECT count(*) FROM metrics WHERE trial_uid = ? "
                                "AND name = 'val_loss' AND value IS NOT NULL", [uid]).fetchone()
            assert steps == (EPOCHS,), uid
            lr = con.execute("SELECT value_double FROM params WHERE trial_uid = ? "
                             "AND name = 'train_config.lr'", [uid]).fetchone()
            assert lr is not None and lr[0] > 0, uid
        errors = con.execute("SELECT count(*) FROM ingest_errors WHERE list_contains(?, "
                             "trial_uid)", [list(uids)]).fetchone()
        assert errors == (0,)


def errors_of(db: Path) -> list[tuple[str | None, str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT trial_uid, path, error FROM ingest_errors "
                           "ORDER BY ALL").fetchall()


def one_line_error(stderr: str) -> str:
    """The CLI's stderr must be one line, without a traceback."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("ablation-sql: error: ")
    return lines[0]
