"""Hostile experiment folders and values: each spoils one element of a small experiment.

Every case must end with exit code 0, no traceback, every good trial ingested and the bad
element recorded in ingest_errors with its reason (and listed in the summary).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ablation_sql.cli import main
from ablation_sql.ingest import discover, state_db

from .hostile import (
    GOOD,
    build_experiment,
    complete_state,
    errors_of,
    good_trials_ingested,
    write_state_db,
)

BAD = "4_dd_04"
HUGE = "9" * 5000


@dataclass(frozen=True)
class Case:
    """``spoil`` changes the experiment; the error expected is (trial_uid, file, reason)."""

    spoil: Callable[[Path], None]
    trial: str | None
    file: str
    reason: str
    bad_trial_ingested: bool = True


def _write(relative: str, text: str) -> Callable[[Path], None]:
    return lambda exp: (exp / relative).write_text(text)


def _master(old: str, new: str) -> Callable[[Path], None]:
    def spoil(exp: Path) -> None:
        path = exp / "master_config.yaml"
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))
    return spoil


def _fifo(relative: str) -> Callable[[Path], None]:
    def spoil(exp: Path) -> None:
        (exp / relative).unlink()
        os.mkfifo(exp / relative)
    return spoil


def _folder_for(relative: str) -> Callable[[Path], None]:
    def spoil(exp: Path) -> None:
        (exp / relative).unlink()
        (exp / relative).mkdir()
    return spoil


def _symlink_loop(relative: str) -> Callable[[Path], None]:
    def spoil(exp: Path) -> None:
        (exp / relative).unlink()
        (exp / relative).symlink_to(exp / relative)
    return spoil


def _bom(relative: str) -> Callable[[Path], None]:
    return lambda exp: (exp / relative).write_bytes(b"\xef\xbb\xbf" + (exp / relative)
                                                    .read_bytes())


def _state_db(rows: list[tuple[str, bytes | None, int]]) -> Callable[[Path], None]:
    return lambda exp: write_state_db(exp / "hostile_state.db", rows)


def _endless_state_db(exp: Path) -> None:
    write_state_db(exp / "real.db", [])
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(exp / "hostile_state.db")) as con:
        con.execute("CREATE VIEW trial AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                    "SELECT i + 1 FROM n) SELECT 'x' AS config_uid, NULL AS state, "
                    "i AS runtime_errors FROM n WHERE i < 0")
        con.commit()


CASES: dict[str, Case] = {
    "huge int in results.json": Case(
        _write(f"{BAD}/results.json", f'[{{"val_loss": 0.5, "steps": {HUGE}}}]'),
        BAD, "results.json", "5,000 digits"),
    "huge int in config.yaml": Case(
        _write(f"{BAD}/config.yaml", f"train_config:\n  lr: 0.04\n  seed: {HUGE}\n"),
        BAD, "config.yaml", "train_config.seed (5,000 digits)"),
    "huge int in metadata.json": Case(
        _write(f"{BAD}/metadata.json", f'{{"seed": -{HUGE}}}'),
        BAD, "metadata.json", "kept as text"),
    "huge int in a cut-off results.json": Case(
        _write(f"{BAD}/results.json", f'[{{"val_loss": 0.5}}, {{"x": {HUGE}}}, {{"val'),
        BAD, "results.json", "ends mid-write"),
    "huge int in master_config.yaml": Case(
        _master("random_seed: 7", f"random_seed: {HUGE}"),
        None, "master_config.yaml", "5,000 digits"),
    "total_trials beyond 32 bits": Case(
        _master("total_trials: 4", "total_trials: 3000000000"),
        None, "master_config.yaml", "total_trials 3000000000 does not fit"),
    "random_seed beyond 64 bits": Case(
        _master("random_seed: 7", "random_seed: 10000000000000000000"),
        None, "master_config.yaml", "random_seed 10000000000000000000 does not fit"),
    "runtime_errors of 2**31": Case(
        _state_db([(uid.rsplit("_", 1)[0], complete_state(), 0) for uid in GOOD]
                  + [("4_dd", complete_state(), 2**31)]),
        None, "hostile_state.db", "runtime_errors"),
    "FIFO as config.yaml": Case(
        _fifo(f"{BAD}/config.yaml"), BAD, "config.yaml", "not a regular file (a FIFO)"),
    "FIFO as results.json": Case(
        _fifo(f"{BAD}/results.json"), BAD, "results.json", "not a regular file (a FIFO)"),
    "FIFO as metadata.json": Case(
        _fifo(f"{BAD}/metadata.json"), BAD, "metadata.json", "not a regular file"),
    "FIFO as master_config.yaml": Case(
        _fifo("master_config.yaml"), None, "master_config.yaml", "not a regular file (a FIFO)"),
    "folder as results.json": Case(
        _folder_for(f"{BAD}/results.json"), BAD, "results.json", "is a folder"),
    "symlink loop as config.yaml": Case(
        _symlink_loop(f"{BAD}/config.yaml"), BAD, "config.yaml", "cannot be read"),
    "optim_metrics as a list": Case(
        _master("optim_metrics:\n  val_loss: min", "optim_metrics:\n  - val_loss"),
        None, "master_config.yaml", "optim_metrics is a list"),
    "unknown metric direction": Case(
        _master("val_loss: min", "val_loss: minimise"),
        None, "master_config.yaml", "direction 'minimise' is neither min nor max"),
    "search_space entry not a mapping": Case(
        _master("  model_config.act:\n    categorical_values: [relu, elu]",
                "  model_config.act: relu"),
        None, "master_config.yaml", "search_space.model_config.act is a str"),
    "search_space entry without a range": Case(
        _master("categorical_values: [relu, elu]", "value_type: str"),
        None, "master_config.yaml", "declares no value_range"),
    "search_space bounds not numbers": Case(
        _master("value_range: [0.001, 0.1]", "value_range: [low, 1e999999]"),
        None, "master_config.yaml", "value_range is not two numbers"),
    "search_space n_bins beyond 32 bits": Case(
        _master("value_type: float", "value_type: float\n    n_bins: 3000000000"),
        None, "master_config.yaml", "n_bins"),
    "date that does not exist": Case(
        _write(f"{BAD}/config.yaml", "train_config:\n  lr: 0.04\n  start: 2020-13-45\n"),
        None, "", ""),
    "config nested too deeply": Case(
        _write(f"{BAD}/config.yaml", "a: " + "[" * 5000 + "]" * 5000 + "\n"),
        BAD, "config.yaml", "config.yaml"),
    "results nested too deeply": Case(
        _write(f"{BAD}/results.json", "[" * 100_000 + "]" * 100_000),
        BAD, "results.json", "results.json"),
    "state db trial table an endless view": Case(
        _endless_state_db, None, "hostile_state.db", "took longer than"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_one_hostile_element(name: str, tmp_path: Path, capsys, monkeypatch) -> None:
    case = CASES[name]
    monkeypatch.setattr(state_db, "MAX_SECONDS", 0.5)
    exp = build_experiment(tmp_path / "exp")
    case.spoil(exp)
    db = tmp_path / "out" / "a.duckdb"
    db.parent.mkdir()
    code = main(["ingest", str(exp), "--db", str(db), "--workers", "1"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in err
    good_trials_ingested(db)
    errors = errors_of(db)
    if not case.reason:
        assert [e for e in errors if e[0] is None] == []
        return
    matching = [e for e in errors if e[0] == case.trial and e[1].endswith(case.file)
                and case.reason in e[2]]
    assert matching, errors
    assert f"{matching[0][1]}: {matching[0][2]}" in out
    assert "Files not read in full: none" not in out
    # Ingesting again changes nothing: each problem stays recorded once.
    assert main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    assert errors_of(db) == errors


def test_bom_is_accepted_in_every_file(tmp_path: Path, capsys) -> None:
    exp = build_experiment(tmp_path / "exp")
    for name in ("config.yaml", "results.json", "metadata.json"):
        _bom(f"{BAD}/{name}")(exp)
    _bom("master_config.yaml")(exp)
    db = tmp_path / "a.duckdb"
    assert main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    good_trials_ingested(db, (*GOOD, BAD))
    assert errors_of(db) == []


def test_unreadable_trial_folder_is_recorded(tmp_path: Path, capsys, monkeypatch) -> None:
    exp = build_experiment(tmp_path / "exp")
    db = tmp_path / "a.duckdb"
    assert main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    bad = exp / BAD
    if os.geteuid() == 0:  # root reads any folder: refuse this one as the kernel would
        real_stat = os.stat

        def stat(path, *args, **kwargs):
            if str(path).startswith(str(bad) + os.sep):
                raise PermissionError(13, "Permission denied", str(path))
            return real_stat(path, *args, **kwargs)

        monkeypatch.setattr(discover.os, "stat", stat)
    else:
        bad.chmod(0)
        monkeypatch.chdir(tmp_path)
    try:
        for _ in range(2):  # recorded once, however many ingests see it
            assert main(["ingest", str(exp), "--db", str(db), "--workers", "1"]) == 0
            out = capsys.readouterr().out
            assert f"{bad}: not read: the folder cannot be opened (Permission denied)" in out
            rows = [e for e in errors_of(db) if e[1] == str(bad)]
            assert len(rows) == 1
    finally:
        bad.chmod(0o755)
    monkeypatch.undo()
    assert main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    assert [e for e in errors_of(db) if e[1] == str(bad)] == []
    good_trials_ingested(db, (*GOOD, BAD))


def _cli(*args: str, cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.slow
def test_fifos_do_not_block_a_real_ingest(tmp_path: Path) -> None:
    exp = build_experiment(tmp_path / "exp")
    _fifo(f"{BAD}/config.yaml")(exp)
    _fifo(f"{BAD}/results.json")(exp)
    os.mkfifo(exp / "other_state.db")
    (exp / "folder_state.db").mkdir()
    done = _cli("ingest", str(exp), "--db", "a.duckdb", "--workers", "1", cwd=tmp_path,
                timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    good_trials_ingested(tmp_path / "a.duckdb")
    reasons = {Path(p).name: e for _, p, e in errors_of(tmp_path / "a.duckdb")}
    assert "not a regular file (a FIFO)" in reasons["config.yaml"]
    assert "not a regular file (a FIFO)" in reasons["results.json"]
    assert reasons["other_state.db"] == "not read: other_state.db is not a regular file"
    assert "folder_state.db" not in reasons  # a folder of that name is no state db


@pytest.mark.slow
def test_endless_state_db_is_cut_off_in_a_real_ingest(tmp_path: Path) -> None:
    exp = build_experiment(tmp_path / "exp")
    _endless_state_db(exp)
    done = _cli("ingest", str(exp), "--db", "a.duckdb", "--workers", "1", cwd=tmp_path,
                timeout=state_db.MAX_SECONDS + 60)
    assert done.returncode == 0, done.stderr
    good_trials_ingested(tmp_path / "a.duckdb")
    assert any("took longer than" in e for _, _, e in errors_of(tmp_path / "a.duckdb"))
