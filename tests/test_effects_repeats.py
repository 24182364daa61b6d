"""effects when configurations repeat: configuration means, the seed-noise share, and the
per-experiment / pooled table with its contradiction flag."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import ablation_sql as asql
from ablation_sql.effects.seed_noise import seed_noise_share
from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.study import generate_study


@pytest.fixture(scope="module")
def study_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("effects-study")
    generate_study(root / "study", 2, seed=5, same_configurations=True, trials=16, epochs=3,
                   seeds=3, seed_noise=0.02)
    with asql.connect(root / "db.duckdb") as db:
        db.ingest(root / "study")
    return root / "db.duckdb"


def test_effects_count_configurations_and_say_so(study_db):
    with asql.connect(study_db, read_only=True) as db:
        result = db.effects("val_accuracy", experiment="run_0", n_boot=100)
    assert result.n_used == 16 and "configuration means" in result.basis
    noise = result.seed_noise
    assert noise.trials == 48 and noise.configurations == 16 and noise.repeated == 16
    assert 0 <= noise.ci_low <= noise.share <= noise.ci_high <= 1
    assert any(f.startswith("Seed noise:") for f in result.findings)
    assert set(result.study["experiment"]) == {"run_0", "run_1", "(pooled)"}
    assert (result.study["flags"] == "").all()
    assert "Each experiment sharing this search space" in result.render()
    assert result.to_dict()["seed_noise"]["configurations"] == 16


def test_effects_without_repeats_count_trials(tmp_path):
    generate_experiment(tmp_path / "one", trials=20, epochs=2)
    with asql.connect(tmp_path / "db.duckdb") as db:
        db.ingest(tmp_path / "one")
        result = db.effects("val_accuracy", n_boot=50)
    assert result.n_used == 20 and result.basis.startswith("trials")
    assert math.isnan(result.seed_noise.share) and result.study.empty


def test_two_tpe_runs_with_opposite_confounding_are_flagged(tmp_path):
    """num_filter1 has no effect; TPE samples it with lr (correlated +0.9 in one run, -0.9 in
    the other), so its marginal effects exclude zero on opposite sides."""
    generate_experiment(tmp_path / "a", trials=30, epochs=3, algo="tpe", seed=0, tpe_rho=0.9)
    generate_experiment(tmp_path / "b", trials=30, epochs=3, algo="tpe", seed=1, tpe_rho=-0.9)
    with asql.connect(tmp_path / "db.duckdb") as db:
        db.ingest(tmp_path / "a", tmp_path / "b")
        result = db.effects("val_accuracy", experiment="a", n_boot=50)
    study = result.study
    for (_, _), rows in study[study["experiment"] != "(pooled)"].groupby(["attribute", "term"]):
        flagged = rows["flags"].iloc[0] != ""
        opposite = any({"+", "-"} <= set(rows[kind]) for kind in ("marginal", "adjusted"))
        assert flagged == opposite
    nf1 = study[study["attribute"] == "model_config.num_filter1"]
    assert set(nf1["flags"]) == {"contradiction (marginal)"}
    assert any("contradict each other" in w for w in result.warnings)


def test_seed_noise_share_recovers_a_planted_share():
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(40):
        means = rng.normal(0, 1.0, 30)  # between sd 1, within sd 1: share 0.5
        values = np.repeat(means, 4) + rng.normal(0, 1.0, 120)
        noise = seed_noise_share(values, np.repeat(np.arange(30), 4))
        hits += noise.ci_low <= 0.5 <= noise.ci_high
    assert hits >= 34  # 95 % nominal: at least 85 % of 40
