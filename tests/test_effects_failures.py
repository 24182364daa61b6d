"""Failure accounting: left-out counts per attribute level (categorical levels, quantile bins)
against pandas/numpy, and the survivorship warning on hand-built and synthetic experiments."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ablation_sql as asql
from ablation_sql.effects.data import TrialData, load_trials
from ablation_sql.effects.failures import (
    REASONS,
    all_left_out_statements,
    failure_rates,
    survivorship_warnings,
)
from ablation_sql.errors import InputError
from ablation_sql.synthetic.generate import ACT, LR, NF1, NF2

from .support import Synthetic, trial_data


def test_categorical_levels_and_reason_counts() -> None:
    act = ["b", "a", "c", "a", "b", "a", "x", None]
    reasons = [None, "failed", None, "null", "running", None, "pruned", "failed"]
    data = trial_data({"act": act}, numerical=[], categorical=["act"], reasons=reasons)
    data = replace(data, categories={"act": ["c", "b", "a"]})
    rates = failure_rates(data)
    assert list(rates.columns) == ["attribute", "level", "n", "n_left_out", "rate",
                                   *REASONS, "pruned"]
    assert list(rates["level"]) == ["c", "b", "a", "x"]  # declared order, then undeclared
    got = rates.set_index("level")
    assert got.loc["a", ["n", "n_left_out", "failed", "null"]].tolist() == [3, 2, 1, 1]
    assert got.loc["a", "rate"] == pytest.approx(2 / 3)
    assert got.loc["b", ["n", "n_left_out", "running"]].tolist() == [2, 1, 1]
    assert got.loc["x", ["n", "pruned"]].tolist() == [1, 1]
    assert rates["n"].sum() == 7  # the trial without a value is not counted


def test_numerical_quantile_bins_match_numpy() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(32, 129, size=101).astype(float)
    lr = 10 ** rng.uniform(-4, -1, size=101)
    reasons = [None if r > 0.2 else "failed" for r in rng.random(101)]
    data = trial_data({"x": list(x), "lr": list(lr)}, numerical=["x", "lr"], categorical=[],
                      log={"lr": True}, reasons=reasons)
    rates = failure_rates(data, bins=4)
    left = pd.Series([r is not None for r in reasons])

    edges = np.quantile(x, [0, 0.25, 0.5, 0.75, 1])
    got = rates[rates["attribute"] == "x"]
    want = [f"[{edges[0]:.4g}, {edges[1]:.4g})", f"[{edges[1]:.4g}, {edges[2]:.4g})",
            f"[{edges[2]:.4g}, {edges[3]:.4g})", f"[{edges[3]:.4g}, {edges[4]:.4g}]"]
    assert list(got["level"]) == want
    cut = np.array(pd.cut(x, edges, right=False, include_lowest=True).codes)
    cut[x == edges[-1]] = 3  # the last bin is closed
    assert list(got["n"]) == np.bincount(cut, minlength=4).tolist()
    assert list(got["n_left_out"]) == [int(left[cut == i].sum()) for i in range(4)]

    # log attribute: quantiles of log10, so the edges are geometric means of neighbours
    log_edges = 10 ** np.quantile(np.log10(lr), [0, 0.25, 0.5, 0.75, 1])
    got = rates[rates["attribute"] == "lr"]
    assert got["level"].iloc[0] == f"[{log_edges[0]:.4g}, {log_edges[1]:.4g})"
    assert got["level"].iloc[3] == f"[{log_edges[3]:.4g}, {log_edges[4]:.4g}]"
    assert list(got["n"]) == [25, 25, 25, 26]  # edges are data points: the last bin has 2


def test_few_distinct_values_are_their_own_levels() -> None:
    data = trial_data({"x": [1.0, 2.0, 2.0, 8.0, 8.0, 8.0]}, numerical=["x"], categorical=[],
                      reasons=[None, None, "failed", None, "infinite", "infinite"])
    rates = failure_rates(data, bins=4)
    assert rates[["level", "n", "n_left_out", "infinite"]].values.tolist() == [
        ["1", 1, 0, 0], ["2", 2, 1, 0], ["8", 3, 2, 2]]
    with pytest.raises(InputError):
        failure_rates(data, bins=0)


def concentrated(n_per_level: int, failed: dict[str, int]) -> TrialData:
    """Activation levels with the given number of failed trials each."""
    act, reasons = [], []
    for level in ("relu", "elu", "leakyRelu"):
        act += [level] * n_per_level
        reasons += ["failed"] * failed[level] + [None] * (n_per_level - failed[level])
    return trial_data({"act": act}, numerical=[], categorical=["act"], reasons=reasons)


def test_survivorship_warning_names_the_level_with_numbers() -> None:
    data = concentrated(60, {"relu": 2, "elu": 20, "leakyRelu": 3})
    warnings = survivorship_warnings(data, failure_rates(data))
    assert len(warnings) == 1
    assert warnings[0].startswith("act: the left-out trials concentrate in some levels (elu has "
                                  "20 of 60 left out (33%); 14% overall; independence test p ")
    assert "relu has" not in warnings[0] and "survivorship" in warnings[0]


def test_no_warning_when_spread_empty_or_too_small() -> None:
    spread = concentrated(60, {"relu": 6, "elu": 5, "leakyRelu": 7})
    assert survivorship_warnings(spread, failure_rates(spread)) == []
    nothing = concentrated(60, {"relu": 0, "elu": 0, "leakyRelu": 0})
    assert survivorship_warnings(nothing, failure_rates(nothing)) == []
    few = concentrated(60, {"relu": 0, "elu": 4, "leakyRelu": 0})  # p about 0.035: too little
    assert survivorship_warnings(few, failure_rates(few)) == []


def test_small_counts_use_a_seeded_monte_carlo_test() -> None:
    data = concentrated(10, {"relu": 0, "elu": 6, "leakyRelu": 0})  # expected 2 per level
    first = survivorship_warnings(data, failure_rates(data))
    assert len(first) == 1 and "elu has 6 of 10 left out (60%)" in first[0]
    assert survivorship_warnings(data, failure_rates(data)) == first  # deterministic


def test_a_level_whose_trials_all_failed_is_stated_and_tested_at_any_size() -> None:
    """4 of 4 gelu trials failed against 0 of 12 relu: Fisher's exact p is 1/C(16, 4)."""
    act = ["relu"] * 12 + ["gelu"] * 4
    data = trial_data({"act": act}, numerical=[], categorical=["act"],
                      reasons=[None] * 12 + ["failed"] * 4)
    data = replace(data, categories={"act": ["relu", "gelu"]})
    rates = failure_rates(data)
    assert all_left_out_statements(data, rates) == [
        "gelu (act): 4 of 4 trials failed; its effect cannot be estimated."]
    warnings = survivorship_warnings(data, rates)
    p = stats.hypergeom.pmf(4, 16, 4, 4)  # the only table as extreme as this one
    assert p == pytest.approx(1 / 1820)
    assert len(warnings) == 1 and "gelu has 4 of 4 left out (100%)" in warnings[0]
    assert f"p = {p:.2g}" in warnings[0]


def test_more_levels_use_the_monte_carlo_fisher_test() -> None:
    data = concentrated(4, {"relu": 0, "elu": 4, "leakyRelu": 0})  # 12 trials, 4 failed
    warnings = survivorship_warnings(data, failure_rates(data))
    # the exact p-value: 3 tables are this extreme (all 4 failures in one level), 3 / C(12, 4)
    assert len(warnings) == 1 and "p = 0.00" in warnings[0]
    assert all_left_out_statements(data, failure_rates(data)) == [
        "elu (act): 4 of 4 trials failed; its effect cannot be estimated."]


def test_mixed_reasons_and_numerical_attributes() -> None:
    data = trial_data({"act": ["a", "a", "b", "b", "b"], "x": [1.0, 2.0, 3.0, 4.0, 5.0]},
                      numerical=["x"], categorical=["act"],
                      reasons=[None, None, "failed", "failed", "running"])
    rates = failure_rates(data)
    assert all_left_out_statements(data, rates) == [
        "b (act): 3 of 3 trials were left out (2 failed, 1 running); its effect cannot be "
        "estimated."]  # numerical bins are left to the concentration test
    running = trial_data({"act": ["a", "b"]}, numerical=[], categorical=["act"],
                         reasons=[None, "running"])
    assert all_left_out_statements(running, failure_rates(running)) == [
        "b (act): 1 of 1 trials are still running; its effect cannot be estimated."]


def test_always_failing_level_end_to_end(tmp_path: Path) -> None:
    """The generator's option, ingest and ``ablation-sql effects`` as a user runs them: the
    statement is the first finding."""
    out, db = tmp_path / "exp", tmp_path / "x.duckdb"
    run = [sys.executable, "-m", "ablation_sql.synthetic", str(out), "--trials", "16",
           "--epochs", "4", "--seed", "1", "--subspace", "--always-fail-level",
           "activation=elu",
           "--truth", str(tmp_path / "truth.json")]
    subprocess.run(run, check=True, capture_output=True)
    truth = json.loads((tmp_path / "truth.json").read_text())
    elu = [n for n, c in truth["configs"].items() if c[ACT] == "elu"]
    assert elu and all(truth["statuses"][n] == "failed" for n in elu)
    cli = [sys.executable, "-m", "ablation_sql"]
    subprocess.run([*cli, "ingest", str(out), "--db", str(db), "--quiet"], check=True)
    done = subprocess.run([*cli, "effects", "--db", str(db), "--metric", "val_accuracy",
                           "--boots", "50"], check=True, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    assert lines[:2] == ["Findings:", f"elu (activation): {len(elu)} of {len(elu)} trials "
                         "failed; its effect cannot be estimated."]
    bad = subprocess.run(run[:3] + [str(tmp_path / "other"), "--always-fail-level",
                          "activation=gelu"],
                         capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "model_config.activation has no level 'gelu'" in bad.stderr


def ingest(synthetic: Synthetic, tmp_path: Path, seed: int, failed: int) -> Path:
    folder, _ = synthetic(f"exp-{seed}", trials=150, epochs=3, seed=seed, failed=failed)
    path = tmp_path / f"exp-{seed}.duckdb"
    with asql.connect(path) as db:
        db.ingest(folder, workers=1)
    return path


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_synthetic_failures_spread_or_concentrated(synthetic: Synthetic, tmp_path: Path,
                                                    seed: int) -> None:
    path = ingest(synthetic, tmp_path, seed, failed=15)  # chosen at random by the generator
    with asql.connect(path) as db:
        data = load_trials(db, "val_accuracy")
        rates = failure_rates(data)
        assert set(rates["attribute"]) == {NF1, NF2, LR, ACT}
        assert (rates.groupby("attribute")["failed"].sum() == 15).all()
        assert survivorship_warnings(data, rates) == []

        # fail half of the elu trials that are not failed yet: left-out trials concentrate
        db.sql("UPDATE trials SET status = 'failed' WHERE trial_uid IN (SELECT trial_uid FROM "
               "trial_attributes WHERE \"model_config.activation\" = 'elu' "
               "AND hash(trial_uid) % 2 = 0)")
        data = load_trials(db, "val_accuracy")
        warnings = survivorship_warnings(data, failure_rates(data))
    assert len(warnings) == 1 and warnings[0].startswith("activation: ")
    assert "elu has " in warnings[0] and "relu has" not in warnings[0]
