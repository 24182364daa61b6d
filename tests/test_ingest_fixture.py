"""The real ABLATOR experiment: every trial, every step, every value, statuses from its state db."""

from __future__ import annotations

import json
import math
from pathlib import Path

import yaml

import ablation_sql as asql
from ablation_sql.ingest.flatten import flatten

from .conftest import REAL_EXPERIMENT


def test_every_value_of_the_real_experiment() -> None:
    db = asql.connect()
    report = db.ingest(REAL_EXPERIMENT, workers=1)
    folders = sorted(p for p in REAL_EXPERIMENT.iterdir() if p.is_dir())
    assert report.trials == len(folders) == 24
    assert report.trials_by_status == {"complete": 24}
    assert report.skipped == []

    metrics = {(uid, step, name): value for uid, step, name, value in
               db.con.execute("SELECT trial_uid, step, name, value FROM metrics").fetchall()}
    expected = {}
    for folder in folders:
        rows = json.loads((folder / "results.json").read_text())
        for step, row in enumerate(rows):
            for name, value in row.items():
                expected[(folder.name, step, name)] = None if math.isnan(value) else float(value)
    assert metrics == expected
    assert report.steps == 72 and report.metric_rows == len(expected) == 864

    params = db.sql("SELECT trial_uid, name, value FROM params")
    for folder in folders[:5]:
        config = yaml.safe_load((folder / "config.yaml").read_text())
        got = params[params.trial_uid == folder.name]
        assert list(got.name) == [name for name, _ in flatten(config)]
        assert [json.loads(v) for v in got.value] == [v for _, v in flatten(config)]

    trials = db.sql("SELECT * FROM trials ORDER BY trial_uid")
    assert list(trials.trial_uid) == [f.name for f in folders]
    assert set(trials.status_source) == {"state_db"} and set(trials.state_code) == {1}
    assert set(trials.n_steps) == {3} and trials.results_complete.all()

    experiment = db.sql("SELECT * FROM experiments").iloc[0]
    assert experiment.experiment_id == "tutorial-tpe"
    assert (experiment.search_algo, experiment.optim_metric_name, experiment.total_trials) == (
        "tpe", "val_loss", 24)
    assert Path(experiment.path) == REAL_EXPERIMENT.resolve()
    assert db.sql("SELECT metric, direction FROM optim_metrics").values.tolist() == [
        ["val_loss", "min"]]
    space = db.con.execute("SELECT name, kind, low, high FROM search_space ORDER BY name")
    assert space.fetchall() == [
        ("model_config.activation", "categorical", None, None),
        ("model_config.num_filter1", "numerical", 32.0, 64.0),
        ("model_config.num_filter2", "numerical", 64.0, 128.0),
        ("train_config.optimizer_config.arguments.lr", "numerical", 0.001, 0.01),
    ]


def test_fixture_is_left_untouched() -> None:
    before = {p: p.stat().st_mtime_ns for p in REAL_EXPERIMENT.rglob("*")}
    asql.connect().ingest(REAL_EXPERIMENT, workers=1)
    assert {p: p.stat().st_mtime_ns for p in REAL_EXPERIMENT.rglob("*")} == before
