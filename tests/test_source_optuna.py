"""Optuna storages: the committed fixture (written by Optuna itself, see
fixtures/sources/make_optuna.py) read back value for value, and broken storages."""

from __future__ import annotations

import json
import math
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.ingest.sources.optuna_params import ParamProblem, decode

HERE = Path(__file__).resolve().parent
STORAGE = HERE / "fixtures" / "sources" / "optuna" / "optuna.db"
EXPECTED = json.loads((STORAGE.parent / "expected.json").read_text())
STATUS = {"COMPLETE": "complete", "PRUNED": "pruned", "FAIL": "failed", "RUNNING": "running",
          "WAITING": "waiting"}


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return Path(shutil.copyfile(STORAGE, tmp_path / "optuna.db"))


@pytest.fixture
def ingested(storage: Path, tmp_path: Path):
    with asql.connect(tmp_path / "a.duckdb") as db:
        report = db.ingest(storage, workers=1)
        yield db, report


def _rows(db, sql: str, *args) -> list[tuple]:
    return db.con.execute(sql, list(args)).fetchall()


def test_every_trial_param_and_value_equals_what_optuna_stored(ingested) -> None:
    db, report = ingested
    assert {e.experiment_id for e in report.experiments} == set(EXPECTED["studies"])
    assert {e.source for e in report.experiments} == {"optuna"}
    for study, expected in EXPECTED["studies"].items():
        names = expected["metric_names"] or ["value"]
        trials = {uid: status for uid, status in _rows(
            db, "SELECT trial_uid, status FROM trials WHERE experiment_id = ?", study)}
        assert trials == {f"trial_{t['number']}": STATUS[t["state"]]
                          for t in expected["trials"]}
        for trial in expected["trials"]:
            uid = f"trial_{trial['number']}"
            params = {name: json.loads(value) for name, value in _rows(
                db, "SELECT name, value FROM params WHERE experiment_id = ? AND trial_uid = ?",
                study, uid)}
            assert params == trial["params"]
            metrics = {(step, name): value for step, name, value in _rows(
                db, "SELECT step, name, value FROM metrics "
                    "WHERE experiment_id = ? AND trial_uid = ?", study, uid)}
            wanted = {(int(step), names[0]): _stored(v)
                      for step, v in trial["intermediate_values"].items()}
            last = max((int(s) for s in trial["intermediate_values"]), default=-1)
            wanted |= {(last + 1, names[i]): v for i, v in enumerate(trial["values"] or [])}
            assert metrics == wanted, uid


def _stored(value: float) -> float | None:
    return None if math.isnan(value) else value  # NaN is NULL in metrics


def test_fixture_covers_the_cases(ingested) -> None:
    """The fixture holds each state, a conditional parameter, NaN and an infinity."""
    states = {t["state"] for t in EXPECTED["studies"]["pruned-search"]["trials"]}
    assert states == set(STATUS)
    db, _ = ingested
    assert _rows(db, "SELECT count(*) FROM params WHERE name = 'momentum'")[0][0] < \
        _rows(db, "SELECT count(*) FROM params WHERE name = 'lr'")[0][0]
    assert _rows(db, "SELECT count(*) FROM metrics WHERE value IS NULL")[0][0] == 1
    assert _rows(db, "SELECT count(*) FROM metrics WHERE isinf(value)")[0][0] == 1


def test_search_space_and_directions(ingested) -> None:
    db, _ = ingested
    space = {(e, n): (k, vt, lo, hi, log, cats) for e, n, k, vt, lo, hi, log, cats in _rows(
        db, "SELECT experiment_id, name, kind, value_type, low, high, log, categories "
            "FROM search_space")}
    assert space[("pruned-search", "lr")] == ("numerical", "float", 1e-4, 0.1, True, None)
    assert space[("pruned-search", "layers")] == ("numerical", "int", 1, 4, False, None)
    assert space[("pruned-search", "optimizer")][0] == "categorical"
    assert json.loads(space[("pruned-search", "optimizer")][5]) == ["adam", "sgd", None]
    assert json.loads(space[("two-objectives", "kind")][5]) == [1, 2.5, True, "wide"]
    assert space[("two-objectives", "width")][4] is True
    for study, expected in EXPECTED["studies"].items():
        distributions = {n for t in expected["trials"] for n in t["distributions"]}
        assert {n for e, n in space if e == study} == distributions
    assert sorted(_rows(db, "SELECT experiment_id, metric, direction FROM optim_metrics")) == [
        ("pruned-search", "value", "min"), ("two-objectives", "error", "min"),
        ("two-objectives", "throughput", "max")]


def test_reingest_reads_only_changed_trials(storage: Path, tmp_path: Path) -> None:
    with asql.connect(tmp_path / "a.duckdb") as db:
        first = db.ingest(storage, workers=1)
        again = db.ingest(storage, workers=1)
        assert (again.trials_read, again.trials_unchanged) == (0, first.trials)
        con = sqlite3.connect(storage)
        con.execute("UPDATE trials SET state = 'FAIL' WHERE number = 16 AND study_id = "
                    "(SELECT study_id FROM studies WHERE study_name = 'pruned-search')")
        con.commit()
        con.close()
        third = db.ingest(storage, workers=1)
        assert third.trials_read == 1
        assert _rows(db, "SELECT status FROM trials WHERE trial_uid = 'trial_16' "
                         "AND experiment_id = 'pruned-search'") == [("failed",)]


def test_cli_detects_the_storage_by_content(storage: Path, tmp_path: Path) -> None:
    renamed = storage.rename(tmp_path / "no-extension")
    run = subprocess.run([sys.executable, "-m", "ablation_sql", "ingest", str(renamed),
                          "--db", str(tmp_path / "c.duckdb")],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "from optuna" in run.stdout and "pruned-search: 18 trials" in run.stdout


def test_unknown_schema_version_is_recorded(storage: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(storage)
    con.execute("UPDATE alembic_version SET version_num = 'v9.9.9.z'")
    con.commit()
    con.close()
    with asql.connect(tmp_path / "a.duckdb") as db:
        report = db.ingest(storage, workers=1)
        (reason,) = [r for p, r in report.skipped if p == str(storage)]
        assert "schema version v9.9.9.z is not one this reader accepts" in reason
        assert report.trials == 0
        assert _rows(db, "SELECT count(*) FROM ingest_errors WHERE error = ?", reason) == [(1,)]


@pytest.mark.parametrize("keep", [0.9, 0.95])
def test_truncated_storage_is_recorded_not_raised(storage: Path, tmp_path: Path,
                                                  keep: float) -> None:
    data = storage.read_bytes()
    storage.write_bytes(data[: int(len(data) * keep)])
    with asql.connect(tmp_path / "t.duckdb") as db:
        report = db.ingest(storage, workers=1)
        errors = _rows(db, "SELECT error FROM ingest_errors")
    assert errors and all("malformed" in e for (e,) in errors)
    assert report.trials_read < 26


def test_storage_cut_before_its_schema_is_told_with_its_reason(storage: Path,
                                                               tmp_path: Path) -> None:
    data = storage.read_bytes()
    storage.write_bytes(data[: len(data) // 3])
    command = [sys.executable, "-m", "ablation_sql", "ingest", str(storage),
               "--db", str(tmp_path / "t.duckdb")]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and run.stderr.count("\n") == 1, run.stderr
    assert "is a SQLite file that cannot be read (database disk image is malformed): give " \
        "--source optuna" in run.stderr
    run = subprocess.run([*command, "--source", "optuna"], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    with asql.connect(tmp_path / "t.duckdb", read_only=True) as db:
        assert _rows(db, "SELECT source, path FROM experiments") == [("optuna", str(storage))]
        (error,) = _rows(db, "SELECT error FROM ingest_errors")
    assert error[0].startswith("not read: the Optuna storage cannot be read (")


def test_source_override_refuses_other_kinds(storage: Path, tmp_path: Path) -> None:
    with asql.connect(tmp_path / "a.duckdb") as db:
        with pytest.raises(asql.NothingToIngestError, match="no ray experiment"):
            db.ingest(storage, source="ray")
        with pytest.raises(asql.InputError, match="unknown source"):
            db.ingest(storage, source="wandb")


DISTRIBUTIONS = st.one_of(
    st.text(max_size=30),
    st.builds(lambda name, attributes: json.dumps({"name": name, "attributes": attributes}),
              st.sampled_from(["CategoricalDistribution", "IntDistribution",
                               "FloatDistribution", "Nope"]),
              st.dictionaries(st.sampled_from(["choices", "low", "high", "log", "step"]),
                              st.one_of(st.none(), st.integers(), st.floats(),
                                        st.lists(st.integers(), max_size=3)))))


@given(st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=5)), DISTRIBUTIONS)
def test_decode_gives_a_value_or_a_param_problem(value, distribution) -> None:
    try:
        decoded = decode(value, distribution)
    except ParamProblem as exc:
        assert str(exc)
        return
    assert isinstance(decoded, int | float) or "Categorical" in distribution


def test_a_schema_2_database_gains_the_source_column(storage: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with asql.connect(path) as db:
        db.ingest(storage, workers=1)
    import duckdb

    with duckdb.connect(str(path)) as con:  # what the previous version wrote
        con.execute("ALTER TABLE experiments DROP COLUMN source")
        con.execute("UPDATE schema_info SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(asql.InputError, match=r"older ablation_sql \(schema 2, now 3\)"):
        asql.connect(path, read_only=True)
    with asql.connect(path) as db:
        assert _rows(db, "SELECT DISTINCT source FROM experiments") == [("ablator",)]


HOSTILE_NAMES = ['"; DROP TABLE trials; --', "../../../etc/passwd", "<script>alert(1)</script>"]


def test_hostile_names_stay_data(storage: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(storage)
    for old, new in zip(("lr", "layers", "dropout"), HOSTILE_NAMES, strict=True):
        con.execute("UPDATE trial_params SET param_name = ? WHERE param_name = ?", (new, old))
    con.execute("UPDATE studies SET study_name = '../x/<b>study' WHERE study_name = "
                "'pruned-search'")
    con.commit()
    con.close()
    out = tmp_path / "figures"
    with asql.connect(tmp_path / "a.duckdb") as db:
        db.ingest(storage, workers=1)
        names = {n for (n,) in _rows(db, "SELECT DISTINCT name FROM search_space")}
        assert set(HOSTILE_NAMES) <= names
        assert _rows(db, "SELECT count(*) FROM trials")[0][0] == 26
        assert len(db.sql('SELECT * FROM trial_summary')) == 26
        db.plot(out, experiment="../x/<b>study")
    written = [p for p in out.rglob("*") if p.is_file()]
    assert written and all(p.resolve().is_relative_to(out.resolve()) for p in written)
    assert not (tmp_path / "x").exists()


def test_hostile_rows_are_recorded_not_raised(storage: Path, tmp_path: Path) -> None:
    con = sqlite3.connect(storage)
    con.execute("INSERT INTO trial_intermediate_values (trial_id, step, intermediate_value, "
                "intermediate_value_type) VALUES (1, 9999999999999, 1.0, 'FINITE')")
    con.execute("UPDATE trial_params SET param_value = 99 WHERE param_name = 'optimizer' "
                "AND trial_id = 2")
    con.execute("UPDATE trial_params SET distribution_json = '{\"name\": 5' "
                "WHERE param_name = 'layers' AND trial_id = 3")
    con.execute("UPDATE trial_system_attributes SET value_json = 'not json'")
    con.commit()
    con.close()
    with asql.connect(tmp_path / "a.duckdb") as db:
        report = db.ingest(storage, workers=1)
        errors = [e for (e,) in _rows(db, "SELECT error FROM ingest_errors ORDER BY error")]
        assert report.trials == 26
    assert any("step 9999999999999 does not fit" in e for e in errors)
    assert any("optimizer: index 99.0 is not one of the distribution's choices" in e
               for e in errors)
    assert any("layers: distribution_json is not valid JSON" in e for e in errors)
