"""The generator's planted model as a function, its baseline and the interaction option."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml

from ablation_sql.synthetic.command import main
from ablation_sql.synthetic.generate import generate_experiment
from ablation_sql.synthetic.model import CHANCE, OPT
from ablation_sql.synthetic.planted import FINAL_PROGRESS, baseline, planted_metric

NF1 = "model_config.num_filter1"
NF2 = "model_config.num_filter2"
LR = "train_config.optimizer_config.arguments.lr"
ACT = "model_config.activation"
NOISE = 0.002


def _clean(truth) -> dict[str, float]:
    """Each trial's last-epoch val_accuracy before the per-epoch noise."""
    return {t: CHANCE + (a - CHANCE) * FINAL_PROGRESS for t, a in truth.asymptotes.items()}


@pytest.mark.parametrize("subspace", [False, True])
def test_the_planted_function_is_what_the_trials_were_drawn_from(tmp_path, subspace):
    truth = generate_experiment(tmp_path / "exp", trials=300, epochs=3, seed=4, noise=NOISE,
                                interaction=True, subspace=subspace)
    clean = _clean(truth)
    residual = np.array([clean[t] - planted_metric(c, interaction=True)
                         for t, c in truth.configs.items()])
    assert abs(residual.mean()) < NOISE and residual.std() < 2 * NOISE
    without = np.array([clean[t] - planted_metric(c) for t, c in truth.configs.items()])
    elu = np.array([c[ACT] == "elu" and c.get(OPT) != "sgd" for c in truth.configs.values()])
    assert np.abs(without[elu]).max() > 20 * NOISE  # the interaction is planted on elu only
    assert np.abs(without[~elu]).max() < 5 * NOISE
    assert truth.interaction


def test_lr_slope_changes_sign_with_activation():
    base = baseline()
    for act, sign in (("relu", -1), ("leakyRelu", -1), ("elu", 1)):
        low = planted_metric(base | {ACT: act, LR: 1e-4}, interaction=True)
        high = planted_metric(base | {ACT: act, LR: 1e-1}, interaction=True)
        assert np.sign(high - low) == sign
        plain = planted_metric(base | {ACT: act, LR: 1e-1}) - planted_metric(
            base | {ACT: act, LR: 1e-4})
        assert plain < 0
    sgd = base | {OPT: "sgd", ACT: "elu", LR: 0.01}
    assert planted_metric(sgd, interaction=True) == planted_metric(sgd)


def test_interaction_changes_no_draw(tmp_path):
    plain = generate_experiment(tmp_path / "a", trials=40, epochs=2, seed=9)
    planted = generate_experiment(tmp_path / "b", trials=40, epochs=2, seed=9, interaction=True)
    assert plain.configs == planted.configs and not plain.interaction


@pytest.mark.parametrize("subspace", [False, True])
def test_baseline_is_the_master_configs_values(tmp_path, subspace):
    truth = generate_experiment(tmp_path / "exp", trials=5, epochs=2, subspace=subspace)
    master = yaml.safe_load((tmp_path / "exp" / "master_config.yaml").read_text())

    def at(path: str):
        node = master
        for key in path.split("."):
            node = node[key]
        return node

    expected = {name: at(name) for name in (NF1, NF2, LR, ACT)}
    if subspace:
        expected[OPT] = at(OPT)["name"]
    assert truth.baseline == expected == baseline(subspace)
    assert math.isclose(planted_metric(truth.baseline),
                        CHANCE + (truth.base_accuracy - CHANCE) * FINAL_PROGRESS)


def test_command_line_plants_the_interaction(tmp_path, capsys):
    out = tmp_path / "exp"
    assert main([str(out), "--trials", "6", "--epochs", "2", "--interaction", "--truth",
                 str(tmp_path / "truth.json")]) == 0
    truth = json.loads(Path(tmp_path / "truth.json").read_text())
    assert truth["interaction"] is True and truth["baseline"][ACT] == "relu"
