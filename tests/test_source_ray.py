"""Ray Tune experiment folders: the committed fixture (written by Ray Tune itself, see
fixtures/sources/make_ray.py) read back value for value, the progress.csv fallback, trial
files alone, broken and hostile files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.ingest.sources.base import SourceTrial, new_batch
from ablation_sql.ingest.sources.ray import RayReader

HERE = Path(__file__).resolve().parent
FIXTURE = HERE / "fixtures" / "sources" / "ray"
EXPECTED = json.loads((FIXTURE / "expected.json").read_text())


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURE / "ray-exp", tmp_path / "ray-exp"))


def _rows(db, sql: str, *args) -> list[tuple]:
    return db.con.execute(sql, list(args)).fetchall()


def _ingest(path: Path, tmp_path: Path, **options):
    db = asql.connect(tmp_path / "a.duckdb")
    return db, db.ingest(path, workers=1, **options)


def _check_values(db, finished: str = "complete") -> None:
    trials = dict(_rows(db, "SELECT trial_uid, status FROM trials"))
    assert trials == {uid: "failed" if t["error"] else finished
                      for uid, t in EXPECTED["trials"].items()}
    for uid, trial in EXPECTED["trials"].items():
        config = json.loads(_rows(db, "SELECT config FROM trials WHERE trial_uid = ?",
                                  uid)[0][0])
        assert config == trial["config"]
        params = {n: json.loads(v) for n, v in _rows(
            db, "SELECT name, value FROM params WHERE trial_uid = ?", uid)}
        assert params == {"lr": trial["config"]["lr"], "optimizer": trial["config"]["optimizer"],
                          "model.layers": trial["config"]["model"]["layers"]}
        metrics = {(s, n): v for s, n, v in _rows(
            db, "SELECT step, name, value FROM metrics WHERE trial_uid = ? "
                "AND name IN ('val_loss', 'val_accuracy')", uid)}
        notes = {s: json.loads(v) for s, v in _rows(
            db, "SELECT step, value FROM metrics_other WHERE trial_uid = ? AND name = 'note'",
            uid)}
        assert metrics == {(r["training_iteration"], n): r[n] for r in trial["steps"]
                           for n in ("val_loss", "val_accuracy")}
        assert notes == {r["training_iteration"]: r["note"] for r in trial["steps"]}
        reason = _rows(db, "SELECT failure_reason FROM trials WHERE trial_uid = ?", uid)[0][0]
        assert reason == trial["error"]


def test_every_trial_and_step_equals_what_ray_stored(experiment: Path, tmp_path: Path) -> None:
    db, report = _ingest(experiment, tmp_path)
    with db:
        assert [(e.source, e.trials) for e in report.experiments] == [("ray", 6)]
        _check_values(db)
        assert _rows(db, "SELECT optim_metric_name FROM experiments") == [(None,)]
        (note,) = [r for _, r in report.skipped]
        assert "names the metric val_loss but not its mode: give --direction" in note
        space = {n: (k, lo, hi, c) for n, k, lo, hi, c in _rows(
            db, "SELECT name, kind, low, high, categories FROM search_space")}
    assert space == {"lr": ("numerical", 0.001, 0.1, None),
                     "model.layers": ("numerical", 1, 2, None),
                     "optimizer": ("categorical", None, None, '["adam","sgd"]')}


def test_direction_from_the_user_and_effects(experiment: Path, tmp_path: Path) -> None:
    db, _ = _ingest(experiment, tmp_path, directions={"val_loss": "min"})
    with db:
        assert _rows(db, "SELECT metric, direction FROM optim_metrics") == [("val_loss", "min")]
        result = db.effects("val_loss", n_boot=50)
        assert result.direction == "min"
        assert set(result.attributes["attribute"]) == {"lr", "model.layers", "optimizer"}


def test_progress_csv_when_there_is_no_result_json(experiment: Path, tmp_path: Path) -> None:
    for path in experiment.glob("*/result.json"):
        path.unlink()
    db, _ = _ingest(experiment, tmp_path)
    with db:
        _check_values(db)


def test_trial_files_alone_tell_statuses(experiment: Path, tmp_path: Path) -> None:
    for path in experiment.glob("experiment_state-*.json"):
        path.unlink()
    db, report = _ingest(experiment, tmp_path)
    with db:
        assert report.experiments[0].source == "ray"
        # a function trainable's last report says done: false; only the state says it ended
        _check_values(db, finished="unknown")


def test_half_written_result_line_and_broken_params(experiment: Path, tmp_path: Path) -> None:
    folders = sorted(p for p in experiment.iterdir() if p.is_dir())
    result = folders[1] / "result.json"
    result.write_text(result.read_text() + '{"val_loss": 0.3, "training_iter')
    (folders[2] / "params.json").write_text("{not json")
    db, report = _ingest(experiment, tmp_path)
    with db:
        errors = dict(_rows(db, "SELECT path, error FROM ingest_errors"))
        assert errors[str(result)] == "result.json line 5 ends mid-write: left out"
        assert errors[str(folders[2])].startswith("not read: params.json is missing")
        assert _rows(db, "SELECT results_complete, n_steps FROM trials WHERE trial_uid = ?",
                     folders[1].name) == [(False, 4)]
        assert report.trials == 6


def test_reingest_reads_only_changed_trials(experiment: Path, tmp_path: Path) -> None:
    db, first = _ingest(experiment, tmp_path)
    with db:
        assert db.ingest(experiment, workers=1).trials_read == 0
        folder = sorted(p for p in experiment.iterdir() if p.is_dir())[3]
        (folder / "error.txt").write_text("Traceback (most recent call last):\nKeyError: 'x'\n")
        again = db.ingest(experiment, workers=1)
        assert again.trials_read == 1
        assert _rows(db, "SELECT failure_reason FROM trials WHERE trial_uid = ?",
                     folder.name) == [("KeyError: 'x'",)]


HOSTILE = st.one_of(st.text(max_size=200), st.binary(max_size=200).map(
    lambda b: b.decode("latin-1")))


@settings(max_examples=60, deadline=None)
@given(result=HOSTILE, progress=HOSTILE, params=HOSTILE, state=st.sampled_from(
    ["TERMINATED", "ERROR", "", "\x00"]))
def test_hostile_trial_files_never_raise(tmp_path_factory, result: str, progress: str,
                                         params: str, state: str) -> None:
    folder = tmp_path_factory.mktemp("trial")
    for name, text in (("result.json", result), ("progress.csv", progress),
                       ("params.json", params)):
        (folder / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    trial = SourceTrial(folder.name, str(folder), "", str(folder))
    batch = RayReader(frozenset({"lr"}), {folder.name: state}).parse((trial,))
    assert batch["trials"]["trial_uid"] == [folder.name]
    assert all(isinstance(s, int) for s in batch["metrics"]["step"])
    assert set(batch["trials"]["inferred_status"]) <= {
        "complete", "failed", "running", "waiting", "unknown"}
    assert len(new_batch()) == len(batch)
