"""Subspaces in the effects: the branch a trial took as a categorical attribute, an attribute
nested in a branch estimated within its branch's trials (synthetic experiments with a planted
optimizer subspace: sgd with a fixed lr, adam with a searched lr), the confounding check over
both, what cannot be analysed named in the notes, and "adjusted for" said only when true."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import ablation_sql as asql
from ablation_sql.effects.adjusted import adjusted_effects
from ablation_sql.effects.associations import associations, confounding_warnings
from ablation_sql.effects.conditions import Condition
from ablation_sql.effects.design import build_design
from ablation_sql.effects.findings import attribute_findings
from ablation_sql.effects.marginal import marginal_levels, marginal_slopes
from ablation_sql.synthetic.generate import ACT, LR, NF1, NF2, generate_experiment
from ablation_sql.synthetic.model import BRANCH_OFFSETS, OPT, REFERENCE, SGD_LR, SLOPES

from .support import Synthetic, trial_data, write_experiment

EPOCHS = 8
LAST_FRACTION = 1.0 - math.exp(-4)  # the planted effect's share reached at the last epoch


def _effects(synthetic: Synthetic, seed: int, trials: int = 150, **kwargs
             ) -> tuple[asql.effects.Effects, object]:
    folder, truth = synthetic(f"exp-{seed}", trials=trials, epochs=EPOCHS, seed=seed,
                              subspace=True, **kwargs)
    with asql.connect() as db:
        db.ingest(folder, workers=1)
        return db.effects("val_accuracy", policy="last", n_boot=100, seed=seed), truth


def test_generator_writes_the_subspace_in_ablators_format(tmp_path: Path) -> None:
    truth = generate_experiment(tmp_path / "exp", trials=20, epochs=2, seed=3, subspace=True)
    master = yaml.safe_load((tmp_path / "exp" / "master_config.yaml").read_text())
    spec = master["search_space"][OPT]
    assert LR not in master["search_space"] and spec["subspaces"] is not None
    assert [s["sub_configuration"]["name"] for s in spec["subspaces"]] == ["sgd", "adam"]
    sgd, adam = (s["sub_configuration"]["arguments"] for s in spec["subspaces"])
    assert sgd["lr"] == SGD_LR and adam["lr"]["value_range"] == ["0.0001", "0.1"]
    assert adam["lr"]["log"] is True and set(spec) == set(adam["lr"])  # every SearchSpace field
    branches = set()
    for name, values in truth.configs.items():
        config = yaml.safe_load((tmp_path / "exp" / name / "config.yaml").read_text())
        optimizer = config["train_config"]["optimizer_config"]
        assert optimizer["name"] == values[OPT]
        assert optimizer["arguments"]["lr"] == values[LR]
        assert ("momentum" in optimizer["arguments"]) == (values[OPT] == "sgd")
        if values[OPT] == "sgd":
            assert values[LR] == SGD_LR
        branches.add(values[OPT])
    assert branches == {"sgd", "adam"} and truth.offsets[OPT] == BRANCH_OFFSETS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nested_attribute_is_estimated_within_its_branch(synthetic: Synthetic, seed: int) -> None:
    result, truth = _effects(synthetic, seed, failed=6)
    used = {n for n, s in truth.statuses.items() if s == "complete"}
    adam = sorted(n for n in used if truth.configs[n][OPT] == "adam")
    table = result.to_frame().set_index("attribute")
    assert table.loc[OPT, "kind"] == "subspace" and table.loc[LR, "within"] == (
        "optimizer_config is adam")
    assert table.loc[LR, "n_used"] == len(adam) and table.loc[NF2, "n_used"] == len(used)
    assert result.notes == []

    coefficients = result.coefficients.set_index("term")
    lr = coefficients.loc[LR]
    planted = SLOPES[LR] * LAST_FRACTION
    assert lr["ci_high"] < 0 and lr["ci_low"] < planted < lr["ci_high"] + 0.01
    # adam against sgd, adam at the mean log10 lr of its used trials
    mean_log = np.mean([math.log10(truth.configs[n][LR]) for n in adam])
    branch = (SLOPES[LR] * (mean_log - math.log10(REFERENCE[LR]))
              - BRANCH_OFFSETS["sgd"]) * LAST_FRACTION
    assert coefficients.loc["adam", "ci_low"] - 0.005 < branch < (
        coefficients.loc["adam", "ci_high"] + 0.005)
    # marginal: the slope over adam's trials alone agrees in sign
    slope = result.slopes.set_index("attribute").loc[LR]
    assert slope["ci_high"] < 0

    text = "\n".join(result.findings)
    assert (f"lr, only where optimizer_config is adam ({len(adam)} used trials): higher is "
            "worse") in text
    assert ("optimizer_config (against sgd, adjusted for the other attributes; adam at the "
            "geometric mean lr of its used trials): ") in text
    failures = result.failures[result.failures["attribute"] == LR]
    assert failures["n"].sum() == sum(truth.configs[n][OPT] == "adam" for n in truth.statuses)


def test_a_branch_whose_trials_all_failed(synthetic: Synthetic) -> None:
    result, truth = _effects(synthetic, 4, trials=40, always_fail="optimizer_config=adam")
    n_adam = sum(v[OPT] == "adam" for v in truth.configs.values())
    assert all(truth.statuses[n] == "failed" for n, v in truth.configs.items()
               if v[OPT] == "adam")
    assert result.findings[0] == (f"adam (optimizer_config): {n_adam} of {n_adam} trials "
                                  "failed; its effect cannot be estimated.")
    assert f"{LR}: no used trial where optimizer_config is adam: not estimable" in result.notes
    assert f"{OPT}: takes one level in the used trials: not estimable" in result.notes
    assert ("lr, only where optimizer_config is adam (0 used trials): no used trial where "
            "optimizer_config is adam: not estimable.") in result.findings


def _subspace_data(opt: list[str], act: list[str], lr: list[float]) -> object:
    data = trial_data({"lr": lr, "opt": opt, "act": act}, numerical=["lr"],
                      categorical=["opt", "act"], log={"lr": True})
    lr_column = data.frame["lr"].where(data.frame["opt"] == "adam")
    frame = data.frame.assign(lr=lr_column)
    return type(data)(**{**data.__dict__, "frame": frame, "subspaces": ["opt"],
                         "conditions": {"lr": Condition("opt", ("adam",))}})


def test_confounding_check_covers_the_branch_and_the_nested_attribute() -> None:
    rng = np.random.default_rng(0)
    opt = ["sgd", "adam"] * 20
    act = ["elu" if o == "sgd" else str(rng.choice(["relu", "gelu"])) for o in opt]
    lr = list(10 ** rng.uniform(-4, -1, 40))
    data = _subspace_data(opt, act, lr)
    pairs = associations(data).set_index(["attribute_a", "attribute_b"])
    assert pairs.loc[("opt", "act"), "flagged"] and pairs.loc[("opt", "act"), "value"] > 0.9
    assert pairs.loc[("lr", "act"), "n"] == 20  # the nested attribute: within its branch
    assert not pairs.loc[("lr", "act"), "flagged"]
    assert math.isnan(pairs.loc[("lr", "opt"), "value"])  # one branch: nothing to measure
    warnings = confounding_warnings(data, associations(data))
    assert warnings == ["opt and act were sampled together (Cramér's V 1.00, n = 40): their "
                        "separate effects are confounded; read the adjusted effects."]


def _findings(data) -> list[str]:
    design = build_design(data)
    return attribute_findings(data, design, adjusted_effects(design),
                              marginal_slopes(data, design),
                              marginal_levels(data, design, n_boot=50, seed=0))


def test_adjusted_for_is_said_only_of_what_is_in_the_model() -> None:
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, 30)
    alone = trial_data({"x": list(x), "c": ["k"] * 30}, numerical=["x"], categorical=["c"])
    alone.frame["value"] = 2 * x + rng.normal(0, 0.1, 30)
    text = _findings(alone)
    assert text[0].endswith("the only attribute in the model, so adjusted for no other.")
    assert text[1] == "c: takes one level in the used trials: not estimable."
    assert not any("adjusted for the other attributes" in s for s in text)

    three = trial_data({"x": list(x), "y": list(rng.uniform(0, 1, 30)), "c": ["k"] * 30},
                       numerical=["x", "y"], categorical=["c"])
    three.frame["value"] = 2 * x + rng.normal(0, 0.1, 30)
    text = _findings(three)
    assert text[0].endswith("adjusted for y.") and text[1].endswith("adjusted for x.")


def test_what_cannot_be_analysed_is_named_in_the_notes(tmp_path: Path) -> None:
    space = {
        "opt": {"subspaces": [  # no names: trials of the two branches cannot be told apart
            {"sub_configuration": {"arguments": {"lr": {"value_range": ["0.01", "0.1"],
                                                        "value_type": "float"}}}},
            {"sub_configuration": {"arguments": {"lr": 0.001}}}]},
        "batch": {"value_range": ["16", "64"], "value_type": "int"},
    }
    trials = {}
    for i in range(8):
        lr = 0.02 * (i + 1) if i % 2 else 0.001
        trials[f"t{i}"] = ({"opt": {"arguments": {"lr": lr}}, "batch": 16 + 4 * i},
                           [{"loss": 1.0 / (i + 1)}])
    with asql.connect() as db:
        db.ingest(write_experiment(tmp_path / "exp", {"optim_metrics": {"loss": "min"},
                                                      "search_space": space}, trials),
                  workers=1)
        result = db.effects("loss", n_boot=50)
    assert result.notes == [
        "opt: a subspace whose branches have no distinct names (sub_configuration.name): not "
        "analysed",
        "opt.arguments.lr: nested in the subspace opt, which is not analysed",
    ]
    assert list(result.to_frame()["attribute"]) == ["batch"]
    assert result.findings[0].endswith("the only attribute in the model, so adjusted for no "
                                       "other.")


def test_fixture_and_default_experiments_have_no_subspace(tmp_path: Path) -> None:
    generate_experiment(tmp_path / "exp", trials=30, epochs=3, seed=0)
    with asql.connect() as db:
        db.ingest(tmp_path / "exp", workers=1)
        result = db.effects("val_accuracy", n_boot=20)
    table = result.to_frame()
    assert list(table["attribute"]) == [NF1, NF2, LR, ACT]
    assert set(table["within"]) == {""} and set(table["kind"]) == {"numerical", "categorical"}
    assert isinstance(result.attributes, pd.DataFrame)
