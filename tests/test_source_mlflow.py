"""MLflow stores: the committed fixtures (written by MLflow itself, see
fixtures/sources/make_mlflow.py) read back value for value from the file store and the SQLite
database, parent/child grouping, inferred search spaces, user directions, broken stores."""

from __future__ import annotations

import gzip
import json
import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.cli import main
from ablation_sql.ingest.sources.mlflow_files import _metrics
from ablation_sql.ingest.sources.space import number

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "sources" / "mlflow"
STATUS = {"FINISHED": "complete", "FAILED": "failed", "KILLED": "failed", "RUNNING": "running",
          "SCHEDULED": "waiting"}


@pytest.fixture
def file_store(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE / "mlruns", tmp_path / "mlruns"))


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "mlflow.db"
    path.write_bytes(gzip.decompress((FIXTURE / "mlflow.db.gz").read_bytes()))
    return path


def _rows(db, sql: str, *args) -> list[tuple]:
    return db.con.execute(sql, list(args)).fetchall()


@pytest.mark.parametrize("store, expected", [("file_store", "expected-files.json"),
                                             ("database", "expected-db.json")])
def test_every_run_param_and_step_equals_what_mlflow_stored(store, expected, request,
                                                            tmp_path: Path) -> None:
    path = request.getfixturevalue(store)
    wanted = json.loads((FIXTURE / expected).read_text())["experiments"]
    with asql.connect(tmp_path / "a.duckdb") as db:
        report = db.ingest(path, workers=1)
        assert {e.source for e in report.experiments} == {"mlflow"}
        assert sorted(e.experiment_id for e in report.experiments) == ["lr-search/search",
                                                                       "plain-runs"]
        for name, runs in wanted.items():
            parent = next((r for r in runs.values() if r["name"] == "search"), None)
            experiment = "lr-search/search" if parent else name
            trials = dict(_rows(db, "SELECT trial_uid, status FROM trials "
                                    "WHERE experiment_id = ?", experiment))
            members = {rid: r for rid, r in runs.items() if r["name"] != "search"}
            assert trials == {rid: STATUS[r["status"]] for rid, r in members.items()}
            for run_id, run in members.items():
                params = {n: (t, d, x) for n, t, d, x in _rows(
                    db, "SELECT name, value_type, value_double, value_text FROM params "
                        "WHERE trial_uid = ?", run_id)}
                assert set(params) == set(run["params"])
                for name, text in run["params"].items():
                    kind, double, as_text = params[name]
                    assert as_text == text if kind == "str" else double == float(text)
                metrics = {(n, s): v for n, s, v in _rows(
                    db, "SELECT name, step, value FROM metrics WHERE trial_uid = ?", run_id)}
                assert metrics == {(n, s): None if math.isnan(v) else v
                                   for n, history in run["metrics"].items()
                                   for s, v in history}


def test_search_space_is_inferred_and_said_so(file_store: Path, tmp_path: Path) -> None:
    with asql.connect(tmp_path / "a.duckdb") as db:
        report = db.ingest(file_store, workers=1)
        assert "search space inferred from the values seen" in report.summary()
        space = {(e, n): (k, t, lo, hi, c) for e, n, k, t, lo, hi, c in _rows(
            db, "SELECT experiment_id, name, kind, value_type, low, high, categories "
                "FROM search_space")}
    assert space[("lr-search/search", "lr")] == ("numerical", "float", 0.001, 0.1, None)
    assert space[("lr-search/search", "layers")] == ("numerical", "int", 1, 4, None)
    assert space[("lr-search/search", "optimizer")][4] == '["adam","rmsprop","sgd"]'
    # one value that is not a number makes the whole parameter categorical, "1e-3" included
    assert space[("plain-runs", "model")][4] == '["1e-3","cnn","mlp"]'


def test_directions_come_from_the_user(file_store: Path, tmp_path: Path, capsys) -> None:
    db_path = str(tmp_path / "a.duckdb")
    assert main(["ingest", str(file_store), "--db", db_path, "--quiet"]) == 0
    effects = ["effects", "--db", db_path, "--metric", "val_loss", "--experiment",
               "lr-search/search", "--boots", "20"]
    assert main(effects) == 2
    assert "--direction min" in capsys.readouterr().err
    assert main([*effects, "--direction", "other=min"]) == 2
    assert "names a metric that is not --metric" in capsys.readouterr().err
    assert main([*effects, "--direction", "val_loss=min"]) == 0
    assert main(["ingest", str(file_store), "--db", db_path, "--direction", "val_loss=min",
                 "--quiet"]) == 0
    with asql.connect(db_path, read_only=True) as db:
        assert set(_rows(db, "SELECT experiment_id, metric, direction FROM optim_metrics")) == {
            ("lr-search/search", "val_loss", "min"), ("plain-runs", "val_loss", "min")}


@pytest.mark.slow
def test_plot_takes_a_metric_direction(file_store: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "a.duckdb"
    cli = [sys.executable, "-m", "ablation_sql"]
    run = subprocess.run([*cli, "ingest", str(file_store), "--db", str(db_path), "--quiet"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    run = subprocess.run([*cli, "plot", "--db", str(db_path), "--out", str(tmp_path / "p"),
                          "--experiment", "lr-search/search", "--direction", "val_loss=min"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    assert list((tmp_path / "p").rglob("*.png"))


def test_reingest_reads_only_changed_runs(file_store: Path, tmp_path: Path) -> None:
    with asql.connect(tmp_path / "a.duckdb") as db:
        first = db.ingest(file_store, workers=1)
        assert db.ingest(file_store, workers=1).trials_read == 0
        metric = next(file_store.rglob("metrics/val_accuracy"))
        with metric.open("a") as handle:
            handle.write("1795975189999 0.5 4\n")
        again = db.ingest(file_store, workers=1)
        assert (again.trials_read, again.trials_unchanged) == (1, first.trials - 1)


def test_broken_runs_are_recorded(file_store: Path, tmp_path: Path) -> None:
    runs = sorted(p.parent.parent for p in file_store.rglob("metrics/val_accuracy"))
    (runs[0] / "meta.yaml").unlink()
    with (runs[1] / "metrics" / "val_loss").open("a") as handle:
        handle.write("1795975189999 0.4")  # cut mid-write: no step
    (runs[2] / "metrics" / "val_loss").write_bytes(b"\xff\xfe garbage")
    run = subprocess.run([sys.executable, "-m", "ablation_sql", "ingest", str(file_store),
                          "--db", str(tmp_path / "b.duckdb")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    with asql.connect(tmp_path / "b.duckdb", read_only=True) as db:
        errors = dict(_rows(db, "SELECT path, error FROM ingest_errors"))
        assert errors[str(runs[0])] == "not read: a run folder without meta.yaml"
        assert "line 5 is not 'timestamp value step'" in errors[str(runs[1])]
        assert "is not UTF-8" in errors[str(runs[2])]
        assert _rows(db, "SELECT count(*) FROM trials WHERE trial_uid = ?", runs[0].name) == [
            (0,)]
        assert _rows(db, "SELECT count(*) FROM metrics WHERE trial_uid = ? AND "
                         "name = 'val_loss'", runs[1].name) == [(4,)]


def test_unknown_schema_and_truncated_database(database: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(database)
    con.execute("UPDATE alembic_version SET version_num = 'ffffffffffff'")
    con.commit()
    con.close()
    cut = tmp_path / "cut.db"
    cut.write_bytes(gzip.decompress((FIXTURE / "mlflow.db.gz").read_bytes())[:200_000])
    with asql.connect(tmp_path / "a.duckdb") as db:
        report = db.ingest(database, cut, workers=1)
        reasons = dict(report.skipped)
    assert "MLflow database schema version ffffffffffff is not one this reader accepts" in \
        reasons[str(database)]
    assert "malformed" in reasons[str(cut)] or "not read" in reasons[str(cut)]


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=300))
def test_hostile_metric_files_never_raise(tmp_path_factory, text: str) -> None:
    folder = tmp_path_factory.mktemp("metrics")
    (folder / "m").write_text(text, encoding="utf-8", errors="surrogateescape")
    problems: list[str] = []
    rows = _metrics(folder, problems)
    for name, step, value in rows:
        assert name == "m" and type(step) is int and type(value) is float
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(rows) + len(problems) >= min(len(lines), 1) or not text.strip()


@given(st.one_of(st.text(max_size=40), st.integers().map(str), st.floats().map(repr)))
def test_numbers_in_parameter_text(text: str) -> None:
    value = number(text)
    assert value is None or (type(value) in (int, float) and math.isfinite(value))
    if value is not None:
        assert float(value) == pytest.approx(float(text.strip()), rel=1e-12)
