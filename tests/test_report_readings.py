"""The report reads each metric once (``read_metrics``) for its effects and its ablation: the
sections are those of a fresh read, and the attributes are read once per experiment."""

from __future__ import annotations

from pathlib import Path

import pytest

import ablation_sql as asql
from ablation_sql.effects import data as effects_data
from ablation_sql.report import build
from ablation_sql.report.ablation_content import metric_ablation
from ablation_sql.report.effects_content import metric_effects, read_metrics
from ablation_sql.store.connection import open_connection
from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.study import generate_study

METRICS = ["val_accuracy", "val_loss"]


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("readings")
    generate_experiment(root / "single", trials=40, epochs=3, seed=4)
    generate_study(root / "study", 2, seed=2, same_configurations=True, trials=12, epochs=3,
                   seeds=3)
    out = {}
    for name in ("single", "study"):
        out[name] = root / f"{name}.duckdb"
        with asql.connect(out[name]) as db:
            db.ingest(root / name)
    return out


@pytest.mark.parametrize("name", ["single", "study"])
def test_shared_readings_give_the_sections_of_a_fresh_read(dbs, name, tmp_path):
    with open_connection(dbs[name], read_only=True, allow_files=False) as con:
        experiment = con.execute("SELECT min(experiment_id) FROM experiments").fetchall()[0][0]
        readings = read_metrics(con, experiment, METRICS)
        assert set(readings.trials) == set(METRICS) and not readings.errors
        for metric in METRICS:
            shared = metric_effects(con, experiment, metric, n_boot=30, readings=readings)
            fresh = metric_effects(con, experiment, metric, n_boot=30)
            assert shared.error is None and shared == fresh
        assert (shared.repeated > 0) == (name == "study")
        ablations = [metric_ablation(con, experiment, "val_accuracy", tmp_path / where,
                                     resamples=5, trials=trials)
                     for where, trials in (("a", readings.trials["val_accuracy"]["best"]),
                                           ("b", None))]
    first, second = ablations
    assert first.error is None
    assert first.findings == second.findings and first.summary == second.summary
    assert first.contributions == second.contributions
    assert first.interactions == second.interactions and first.nearest == second.nearest


def test_a_metric_that_cannot_be_read_says_why_as_a_fresh_read_does(dbs):
    with open_connection(dbs["single"], read_only=True, allow_files=False) as con:
        experiment = con.execute("SELECT min(experiment_id) FROM experiments").fetchall()[0][0]
        readings = read_metrics(con, experiment, ["val_accuracy", "no_such_metric"])
        assert set(readings.trials) == {"val_accuracy"}
        shared = metric_effects(con, experiment, "no_such_metric", readings=readings)
        fresh = metric_effects(con, experiment, "no_such_metric")
    assert shared.error is not None and "no_such_metric" in shared.error
    assert shared == fresh


def test_report_reads_attributes_once_and_each_metric_once(dbs, tmp_path, monkeypatch):
    reads: list[str] = []
    fetch = effects_data.fetch

    def counted(con, file, **params):
        reads.append(file)
        return fetch(con, file, **params)

    monkeypatch.setattr(effects_data, "fetch", counted)
    build.report_paths([dbs["single"]], tmp_path / "report")
    assert reads.count("effects/effects_levels") == 1  # the attributes, once per experiment
    # each (optimised) metric under every policy in one statement, once, whatever the sections
    # that analyse it
    assert reads.count("effects/effects_policies") == len(METRICS)
    assert "effects/effects_trials" not in reads

