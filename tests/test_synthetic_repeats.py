"""The synthetic generator's repeats: --seeds, seed noise, crossing curves, several experiments."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
import yaml

from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.study import generate_study

from .test_synthetic import ACT, LR, NF1, NF2


def _configs(out: Path) -> dict[str, dict]:
    return {d.name: yaml.safe_load((d / "config.yaml").read_text())
            for d in out.iterdir() if (d / "config.yaml").is_file()}


def test_each_configuration_runs_once_per_seed(tmp_path):
    out = tmp_path / "exp"
    truth = generate_experiment(out, trials=12, epochs=4, seeds=3, seed=2)
    configs = _configs(out)
    assert len(configs) == 36 and truth.seeds == 3
    groups = defaultdict(list)
    for name, number in truth.configuration.items():
        groups[number].append(name)
    assert sorted(len(g) for g in groups.values()) == [3] * 12
    for names in groups.values():
        values = {(c["model_config"]["num_filter1"], c["model_config"]["num_filter2"],
                   c["model_config"]["activation"],
                   c["train_config"]["optimizer_config"]["arguments"]["lr"])
                  for c in (configs[n] for n in names)}
        assert len(values) == 1
        assert sorted(configs[n]["random_seed"] for n in names) == [2000, 2001, 2002]
        assert sorted(truth.trial_seeds[n] for n in names) == [2000, 2001, 2002]
        assert len({truth.planted[n] for n in names}) == 1
        assert len({truth.asymptotes[n] for n in names}) == 3
    assert all(len(curve) == 4 for curve in truth.curves.values())
    master = yaml.safe_load((out / "master_config.yaml").read_text())
    assert master["random_seed"] == 2 and master["total_trials"] == 36


def test_seed_noise_has_its_planted_size(tmp_path):
    truth = generate_experiment(tmp_path / "exp", trials=150, epochs=1, seeds=2,
                                seed_noise=0.03, noise=0.001)
    drift = np.array([truth.asymptotes[n] - truth.planted[n] for n in truth.asymptotes])
    assert truth.seed_noise == 0.03
    assert 0.027 < drift.std() < 0.033 and abs(drift.mean()) < 0.004


def test_noise_free_curves_are_the_data_without_noise(tmp_path):
    out = tmp_path / "exp"
    truth = generate_experiment(out, trials=30, epochs=6, seeds=2, noise=0.002,
                                speed_spread=0.5)
    gaps = []
    for name, curve in truth.curves.items():
        rows = json.loads((out / name / "results.json").read_text())
        gaps += [row["val_accuracy"] - c for row, c in zip(rows, curve, strict=True)]
    assert np.abs(gaps).max() < 0.012 and abs(np.mean(gaps)) < 0.002
    # with a spread of speeds, some noise-free curves cross
    curves = np.array(list(truth.curves.values()))
    early, late = np.argsort(curves[:, 0]), np.argsort(curves[:, -1])
    assert not np.array_equal(early, late)


def test_the_default_draws_are_unchanged_by_seeds_one(tmp_path):
    one = generate_experiment(tmp_path / "a", trials=15, epochs=3, seed=4)
    again = generate_experiment(tmp_path / "b", trials=15, epochs=3, seed=4, seeds=1)
    assert one.asymptotes == again.asymptotes and one.seeds == 1 and one.curves == {}


def test_a_study_shares_its_configurations_across_experiments(tmp_path):
    truths = generate_study(tmp_path / "study", 3, seed=7, same_configurations=True,
                            trials=5, epochs=3, seeds=2)
    assert [Path(t.experiment_dir).name for t in truths] == ["run_0", "run_1", "run_2"]
    sets = [{tuple(sorted(c.items())) for c in t.configs.values()} for t in truths]
    assert sets[0] == sets[1] == sets[2] and len(sets[0]) == 5
    assert {t.seed for t in truths} == {7, 8, 9}
    assert len({s for t in truths for s in t.trial_seeds.values()}) == 6
    other = generate_study(tmp_path / "other", 2, seed=7, trials=5, epochs=3)
    assert not ({tuple(sorted(c.items())) for c in other[0].configs.values()}
                & {tuple(sorted(c.items())) for c in other[1].configs.values()})
    assert {NF1, NF2, LR, ACT} <= set(next(iter(truths[0].configs.values())))


def test_the_command_writes_several_experiments_and_their_truths(tmp_path):
    out, truth = tmp_path / "study", tmp_path / "truth.json"
    run = subprocess.run([sys.executable, "-m", "ablation_sql.synthetic", str(out), "--trials",
                          "4", "--epochs", "2", "--seeds", "2", "--seed-noise", "0.02",
                          "--experiments", "2", "--same-configurations", "--truth", str(truth)],
                         capture_output=True, text=True, check=True)
    assert run.stdout.count("wrote 8 trials") == 2
    docs = json.loads(truth.read_text())
    assert [d["seed_noise"] for d in docs] == [0.02, 0.02]
    assert sorted(p.name for p in out.iterdir()) == ["run_0", "run_1"]


@pytest.mark.parametrize("args", [["--seeds", "0"], ["--seed-noise", "-1"],
                                  ["--experiments", "0"], ["--speed-spread", "-0.5"]])
def test_bad_repeat_options_exit_2(tmp_path, args):
    run = subprocess.run([sys.executable, "-m", "ablation_sql.synthetic", str(tmp_path / "x"),
                          "--trials", "3", *args], capture_output=True, text=True)
    assert run.returncode == 2 and "error" in run.stderr and "Traceback" not in run.stderr
