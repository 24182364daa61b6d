"""One-line errors of the command line, run as a user runs it: empty SQL, nothing to ingest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REAL_EXPERIMENT


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("db")
    result = run_cli("ingest", str(REAL_EXPERIMENT), "--db", "x.duckdb", "--quiet", cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "x.duckdb"


@pytest.mark.parametrize("text", ["", "   ", ";", " ; ;", "-- only a comment", "/* c */"])
def test_sql_without_a_statement_is_a_one_line_error(db_path: Path, text: str) -> None:
    result = run_cli("sql", text, "--db", str(db_path), cwd=db_path.parent)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == ("ablation-sql: error: no SQL statement to run: the text is empty "
                             "or only comments\n")


def test_sql_from_stdin_without_a_statement(db_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ablation_sql", "sql", "-", "--db",
                             str(db_path)], input="-- nothing\n", capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_ingest_of_a_missing_path_creates_no_database(tmp_path: Path) -> None:
    result = run_cli("ingest", "/no/such/path", "--db", "x.duckdb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == "ablation-sql: error: /no/such/path does not exist\n"
    assert list(tmp_path.iterdir()) == []


def test_ingest_of_a_trial_folder_says_to_pass_its_parent(tmp_path: Path) -> None:
    trial = REAL_EXPERIMENT / "0b39_9910_7402"
    result = run_cli("ingest", str(trial), "--db", "x.duckdb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"{trial} is a trial folder: pass its parent" in result.stderr
    assert str(REAL_EXPERIMENT) in result.stderr
    assert not (tmp_path / "x.duckdb").exists()


def test_report_of_a_missing_folder_creates_no_database(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("report", "empty", "--out", "site", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stderr.count("\n") == 1 and "no ABLATOR experiment" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_an_existing_database_is_left_as_it_was(db_path: Path, tmp_path: Path) -> None:
    before = db_path.read_bytes()
    result = run_cli("ingest", "/no/such/path", "--db", str(db_path), cwd=tmp_path)
    assert result.returncode == 1
    assert db_path.read_bytes() == before


def test_effects_errors_name_the_flag_to_use(tmp_path: Path) -> None:
    from ablation_sql.synthetic import generate_experiment

    for name, seed in (("first", 1), ("second", 2)):
        generate_experiment(tmp_path / "runs" / name, trials=8, epochs=2, seed=seed)
    assert run_cli("ingest", "runs", "--db", "x.duckdb", "--quiet",
                   cwd=tmp_path).returncode == 0
    several = run_cli("effects", "--metric", "val_accuracy", "--db", "x.duckdb", cwd=tmp_path)
    assert several.returncode == 2 and several.stderr == (
        "ablation-sql: error: the database holds 2 experiments: choose one with --experiment "
        "ID (experiment= in Python): first, second\n")
    undirected = run_cli("effects", "--metric", "train_loss", "--experiment", "first", "--db",
                         "x.duckdb", cwd=tmp_path)
    assert undirected.returncode == 2 and undirected.stderr.count("\n") == 1
    assert "not in optim_metrics): give it with --direction min or --direction max" \
        in undirected.stderr
