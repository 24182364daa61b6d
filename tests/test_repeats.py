"""Repeats found (the configuration views) and configuration-level statistics (API and CLI)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.effects.compare import compare_samples
from ablation_sql.effects.repeats import RepeatData, configuration_table
from ablation_sql.errors import InputError
from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.study import generate_study

from .support import write_experiment


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    """Two experiments running the same 6 configurations with 3 seeds each, and a third with
    single-seed trials of other configurations, in one database."""
    root = tmp_path_factory.mktemp("study")
    truths = generate_study(root / "study", 2, seed=3, same_configurations=True, trials=6,
                            epochs=3, seeds=3, seed_noise=0.02)
    truths.append(generate_experiment(root / "single", trials=8, epochs=3, seed=9))
    path = root / "db.duckdb"
    with asql.connect(path) as db:
        db.ingest(root / "study", root / "single")
    return path, truths


def test_configurations_view_groups_seeds_within_and_across_experiments(study):
    path, truths = study
    with asql.connect(path, read_only=True) as db:
        conf = db.sql("SELECT * FROM configurations ORDER BY trials DESC, configuration")
        trials = db.sql("SELECT * FROM trial_configurations")
    repeated = conf[conf["trials"] > 1]
    assert len(repeated) == 6 and set(repeated["trials"]) == {6}
    assert set(repeated["seeds"]) == {6} and set(repeated["experiments"]) == {2}
    assert len(conf) == 6 + 8 and set(conf[conf["trials"] == 1]["seeds"]) == {1}
    assert len(set(trials["search_space"])) == 1  # one declared space for all three
    number = {**truths[0].configuration, **{n: c for n, c in truths[1].configuration.items()}}
    by_truth = trials[trials["trial_uid"].isin(number)].assign(
        planted=lambda f: f["trial_uid"].map(number))
    assert (by_truth.groupby("planted")["configuration"].nunique() == 1).all()
    assert by_truth.groupby("configuration")["planted"].nunique().max() == 1
    assert trials["seed"].str.startswith("random_seed=").all()


def _tiny(tmp_path: Path, space_seed: bool) -> Path:
    """Four trials: two attribute values x two seeds; the seed in the search space or not."""
    space = {"x": {"value_range": ["0", "1"], "value_type": "float"}}
    if space_seed:
        space["train.seed"] = {"value_range": ["0", "9"], "value_type": "int"}
    master = {"experiment_id": "tiny", "random_seed": 1, "x": 0.5, "train": {"seed": 0},
              "optim_metrics": {"val_loss": "min"}, "search_space": space}
    trials = {f"t{i}": ({**master, "x": [0.25, 0.75][i % 2], "train": {"seed": i}},
                        [{"val_loss": 1.0 + i}]) for i in range(4)}
    exp = write_experiment(tmp_path / "tiny", master, trials)
    db = tmp_path / "tiny.duckdb"
    with asql.connect(db) as d:
        d.ingest(exp)
    return db


@pytest.mark.parametrize("space_seed", [False, True])
def test_a_seed_attribute_in_or_out_of_the_search_space_is_not_part_of_the_key(tmp_path,
                                                                                space_seed):
    with asql.connect(_tiny(tmp_path, space_seed), read_only=True) as db:
        keys = db.sql("SELECT trial_uid, configuration, seed FROM trial_configurations "
                      "ORDER BY trial_uid")
        assert keys["configuration"].nunique() == 2
        assert keys["configuration"][0] == keys["configuration"][2]
        assert keys["seed"][1] == "random_seed=1, train.seed=1"
        given = db.sql("SELECT trial_uid, configuration, seed FROM "
                       "trial_configuration(seed_attributes := ['random_seed']) "
                       "ORDER BY trial_uid")
        assert given["seed"][1] == "random_seed=1"
        assert given["configuration"].nunique() == (4 if space_seed else 2)
        result = db.repeats("val_loss", seed_attributes=["random_seed"], min_seeds=2)
        assert len(result.configurations) == (4 if space_seed else 2)


def test_repeats_api_statistics_are_consistent(study):
    path, _ = study
    with asql.connect(path, read_only=True) as db:
        result = db.repeats("val_accuracy", policy="last", min_seeds=3, n_boot=500)
        values = db.sql("SELECT c.configuration, tm.value FROM trial_configurations c "
                        "JOIN trial_metric('val_accuracy', reduction := 'last') tm "
                        "USING (experiment_id, trial_uid)")
    table = result.configurations
    for row in table.itertuples():
        x = values.loc[values["configuration"] == row.configuration, "value"].to_numpy()
        assert row.n == len(x) and math.isclose(row.mean, x.mean())
        if row.n > 1:
            assert row.ci_low <= row.mean <= row.ci_high
            assert math.isclose(row.sd, x.std(ddof=1))
        if row.n >= 3:
            assert row.iqm_low <= row.iqm <= row.iqm_high
    ranked = table[table["rank"].notna()]
    assert len(ranked) == 6 and (ranked["n"] >= 3).all()
    best = ranked[ranked["rank"] == 1].iloc[0]
    assert best["mean"] == ranked["mean"].max() and best["note"] == "best"
    leading = table[table["note"].str.startswith("leads on")]
    assert (leading["mean"] > best["mean"]).all() and (leading["n"] == 1).all()
    assert len(result.comparisons) == len(table) - 1
    assert (result.comparisons["b"] == best["configuration"]).all()
    assert "run with more than one seed" in result.findings[0]


def test_leads_on_one_seed_and_no_repeats_are_said():
    frame = pd.DataFrame({
        "experiment_id": "e", "trial_uid": [f"t{i}" for i in range(7)],
        "configuration": ["a", "a", "a", "b", "b", "b", "c"], "search_space": "s",
        "attributes": "{}", "seed": [f"s={i}" for i in range(7)], "status": "complete",
        "value": [0.5, 0.52, 0.51, 0.6, 0.61, 0.59, 0.9], "reason": None})
    data = RepeatData("m", "max", "last", 5, frame, frozenset())
    table = configuration_table(data, min_seeds=3, n_boot=200)
    assert list(table["configuration"]) == ["c", "b", "a"]
    assert list(table["note"]) == ["leads on 1 seed", "best", ""]
    assert pd.isna(table["rank"][0]) and table["rank"][1] == 1
    assert math.isnan(table["ci_low"][0])  # one seed: no interval


def test_compare_samples_calls_a_difference_only_beyond_the_noise():
    far = compare_samples(np.array([1.0, 1.1, 1.05]), np.array([0.0, 0.1, 0.05]), "max")
    assert far["verdict"] == "A better" and far["p_better"] == 1.0
    assert 0.5 < far["p_low"] < 1.0 == far["p_high"]  # not collapsed to [1, 1]
    flipped = compare_samples(np.array([1.0, 1.1, 1.05]), np.array([0.0, 0.1, 0.05]), "min")
    assert flipped["verdict"] == "B better" and flipped["p_better"] == 0.0
    assert flipped["p_low"] == 0.0 < flipped["p_high"] < 0.5
    same = compare_samples(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.5, 2.0]), "max")
    assert same["verdict"] == "no clear difference"
    assert same["ci_low"] < same["difference"] < same["ci_high"]
    assert same["p_low"] <= same["p_better"] <= same["p_high"]
    one = compare_samples(np.array([1.0]), np.array([0.0, 0.1]), "max")
    assert one["verdict"] == "too few seeds" and math.isnan(one["ci_low"])


def test_compare_by_key_prefix_or_trial_and_errors(study):
    path, truths = study
    with asql.connect(path, read_only=True) as db:
        table = db.repeats("val_accuracy", n_boot=200).configurations
        a, b = table["configuration"][0], table["configuration"][1]
        trial = db.sql("SELECT trial_uid FROM trial_configurations WHERE configuration = $c",
                       {"c": b})["trial_uid"][0]
        result = db.compare(a[:6], trial, "val_accuracy")
        assert list(result.table[["a", "b"]].iloc[0]) == [a, b]
        assert a in result.findings[0]
        with pytest.raises(InputError, match="matches no configuration"):
            db.compare("nothing", a, "val_accuracy")
        with pytest.raises(InputError, match="no metric"):
            db.repeats("no_such_metric")
        with pytest.raises(InputError, match="against"):
            db.repeats("val_accuracy", against="worst")


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", *args], capture_output=True,
                          text=True)


def test_repeats_and_compare_commands(study):
    path, _ = study
    run = _cli("repeats", "--metric", "val_accuracy", "--db", str(path), "--format", "json",
               "--boots", "200", "--policy", "last")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert len(rows) == 14 and "Findings" in run.stderr
    assert sum(r["note"] == "best" for r in rows) == 1
    a, b = (next(r["configuration"] for r in rows if r["rank"] == i) for i in (1, 2))
    run = _cli("compare", a, b, "--metric", "val_accuracy", "--db", str(path))
    assert run.returncode == 0 and "P(" in run.stdout and a in run.stdout
    bad = _cli("compare", "zz", b, "--metric", "val_accuracy", "--db", str(path))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr


def test_no_repeats_is_said_plainly(tmp_path):
    generate_experiment(tmp_path / "one", trials=6, epochs=2)
    with asql.connect(tmp_path / "db.duckdb") as db:
        db.ingest(tmp_path / "one")
        result = db.repeats("val_loss", n_boot=100)
    assert not result.has_repeats
    assert "no configuration was run with more than one seed" in result.findings[0]
    assert "none is called best" in result.findings[1]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(max_size=12), min_size=1, max_size=3))
def test_any_seed_attribute_names_work_or_fail_in_one_line(tmp_path_factory, names):
    path = _tiny_db(tmp_path_factory)
    with asql.connect(path, read_only=True) as db:
        try:
            result = db.repeats("val_loss", seed_attributes=names, min_seeds=1, n_boot=20)
        except InputError as exc:
            assert "\n" not in str(exc)
        else:
            assert result.configurations["n"].sum() == 4


_TINY: dict[str, Path] = {}


def _tiny_db(factory: pytest.TempPathFactory) -> Path:
    if "db" not in _TINY:
        _TINY["db"] = _tiny(factory.mktemp("tiny"), True)
    return _TINY["db"]


def test_the_baseline_is_the_configuration_with_the_master_defaults(tmp_path):
    space = {"x": {"value_range": ["0", "1"], "value_type": "float"}}
    master = {"experiment_id": "b", "random_seed": 0, "x": 0.5,
              "optim_metrics": {"val_loss": "min"}, "search_space": space}
    trials = {f"t{i}": ({**master, "x": [0.5, 0.75][i % 2], "random_seed": i},
                        [{"val_loss": [1.0, 2.0][i % 2] + 0.01 * i}]) for i in range(6)}
    exp = write_experiment(tmp_path / "b", master, trials)
    with asql.connect(tmp_path / "b.duckdb") as db:
        db.ingest(exp)
        result = db.repeats("val_loss", against="baseline", n_boot=50)
    table = result.configurations
    base = table[table["baseline"]]
    assert len(base) == 1 and base["n"].iloc[0] == 3 and base["note"].iloc[0] == "best"
    (row,) = result.comparisons.to_dict("records")
    assert row["b"] == base["configuration"].iloc[0] and row["verdict"] == "B better"
    assert row["difference"] == pytest.approx(1.0, abs=0.02)
    assert not any("No configuration runs the baseline" in f for f in result.findings)


def test_trials_without_a_readable_config_are_each_their_own_configuration(tmp_path):
    space = {"x": {"value_range": ["0", "1"], "value_type": "float"}}
    master = {"experiment_id": "m", "x": 0.5, "optim_metrics": {"val_loss": "min"},
              "search_space": space}
    trials = {"a": (None, [{"val_loss": 1.0}]), "b": (None, [{"val_loss": 2.0}]),
              "c": ({**master, "x": 0.25}, [{"val_loss": 3.0}])}
    exp = write_experiment(tmp_path / "m", master, trials)
    with asql.connect(tmp_path / "m.duckdb") as db:
        db.ingest(exp)
        keys = db.sql("SELECT configuration FROM trial_configurations")
    assert keys["configuration"].nunique() == 3
