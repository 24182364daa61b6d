"""The confounding check: association measures against scipy/numpy, the flag rule, the warnings,
and synthetic experiments (tpe flagged, random not) ingested and read with load_trials."""

from __future__ import annotations

import gc
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

import ablation_sql as asql
from ablation_sql.effects.associations import THRESHOLD, associations, confounding_warnings
from ablation_sql.effects.data import TrialData, load_trials
from ablation_sql.effects.holm import holm
from ablation_sql.synthetic.generate import ACT, LR, NF1, NF2

from .support import Synthetic, trial_data


def row(pairs: pd.DataFrame, a: str, b: str) -> pd.Series:
    hit = pairs[(pairs["attribute_a"] == a) & (pairs["attribute_b"] == b)]
    assert len(hit) == 1, pairs
    return hit.iloc[0]


def test_measures_match_scipy_and_definitions() -> None:
    rng = np.random.default_rng(1)
    n = 120
    x = rng.normal(size=n)
    y = x + rng.normal(size=n)  # correlated with x
    lr = 10 ** rng.uniform(-4, -1, size=n)
    color = rng.choice(["red", "green", "blue"], size=n)
    shape = np.where(rng.random(n) < 0.8, color, "square")  # associated with color
    data = trial_data({"x": list(x), "y": list(y), "lr": list(lr), "color": list(color),
                       "shape": list(shape)},
                      numerical=["x", "y", "lr"], categorical=["color", "shape"],
                      log={"lr": True})
    pairs = associations(data)
    assert len(pairs) == 10  # C(5, 2)
    assert list(pairs.columns[:5]) == ["attribute_a", "attribute_b", "measure", "value", "n"]

    spearman = row(pairs, "x", "y")
    want = stats.spearmanr(x, y)
    assert spearman["measure"] == "spearman"
    assert spearman["value"] == pytest.approx(want.statistic, rel=1e-12)
    assert spearman["p_value"] == pytest.approx(want.pvalue, rel=1e-9)
    assert spearman["n"] == n

    # correlation ratio: η² = SS between levels / SS total, on log10 for a log attribute
    eta = row(pairs, "lr", "color")
    t = pd.Series(np.log10(lr))
    means = t.groupby(color).transform("mean")
    want_eta = math.sqrt(((means - t.mean()) ** 2).sum() / ((t - t.mean()) ** 2).sum())
    assert eta["measure"] == "correlation_ratio"
    assert eta["value"] == pytest.approx(want_eta, rel=1e-9)
    raw = pd.Series(lr)
    raw_means = raw.groupby(color).transform("mean")
    raw_eta = math.sqrt(((raw_means - raw.mean()) ** 2).sum() / ((raw - raw.mean()) ** 2).sum())
    assert abs(raw_eta - want_eta) > 1e-3  # so the log scale is really what was used

    # Cramér's V = sqrt(chi² / (n · (min(r, c) − 1))) with the uncorrected chi²
    cramer = row(pairs, "color", "shape")
    table = pd.crosstab(color, shape).to_numpy()
    chi2 = stats.chi2_contingency(table, correction=False).statistic
    assert cramer["measure"] == "cramers_v"
    assert cramer["value"] == pytest.approx(math.sqrt(chi2 / (n * (min(table.shape) - 1))))
    assert cramer["value"] > 0.5 and bool(cramer["flagged"])

    # Holm: adjusted >= raw; the smallest p is multiplied by the number of pairs tested
    assert (pairs["p_adjusted"] >= pairs["p_value"] - 1e-15).all()
    smallest = pairs["p_value"].idxmin()
    assert pairs.loc[smallest, "p_adjusted"] == pytest.approx(
        min(1.0, pairs.loc[smallest, "p_value"] * 10))


def test_flag_rule_needs_size_and_significance() -> None:
    rng = np.random.default_rng(2)
    n = 2000
    x = rng.normal(size=n)
    y = 0.2 * x + rng.normal(size=n)  # rho ~ 0.19: significant at this n, but weak
    data = trial_data({"x": list(x), "y": list(y)}, numerical=["x", "y"], categorical=[])
    pair = associations(data).iloc[0]
    assert 0.1 < abs(pair["value"]) < THRESHOLD and pair["p_adjusted"] < 1e-6
    assert not pair["flagged"]
    assert associations(data, threshold=0.1).iloc[0]["flagged"]

    small = trial_data({"x": [1, 2, 3, 4, 5], "y": [2, 1, 4, 3, 5]},
                       numerical=["x", "y"], categorical=[])
    pair = associations(small).iloc[0]
    assert pair["value"] == pytest.approx(0.8)
    assert pair["p_adjusted"] > 0.05 and not pair["flagged"]  # strong but not significant


def test_undefined_pairs_are_nan_and_never_flagged() -> None:
    data = trial_data({"x": [1.0, 2.0, 3.0, 4.0], "c": [5.0, 5.0, 5.0, 5.0],
                       "k": ["a", "a", "a", "a"], "z": [1.0, None, None, None]},
                      numerical=["x", "c", "z"], categorical=["k"])
    pairs = associations(data)
    assert pairs["value"].isna().all() and not pairs["flagged"].any()
    assert row(pairs, "x", "z")["n"] == 1  # trials where both are set


def test_every_trial_with_the_attributes_counts_failed_or_not() -> None:
    x = list(range(20))
    data = trial_data({"x": x, "y": [v * v for v in x]}, numerical=["x", "y"], categorical=[],
                      reasons=[None] * 10 + ["failed"] * 5 + ["running"] * 5)
    pair = associations(data).iloc[0]
    assert pair["n"] == 20 and pair["value"] == pytest.approx(1.0) and pair["flagged"]


def test_warnings_give_the_numbers_and_the_tpe_note() -> None:
    x = np.arange(60.0)
    columns = {"model_config.num_filter1": list(x), "train.lr": list(10 ** (-4 + x / 20)),
               "model_config.act": ["a", "b", "c"] * 20}
    kinds = dict(numerical=["model_config.num_filter1", "train.lr"],
                 categorical=["model_config.act"])
    data = trial_data(columns, **kinds, algo="tpe")
    pairs = associations(data)
    warnings = confounding_warnings(data, pairs)
    assert warnings[0] == ("num_filter1 and lr were sampled together (Spearman 1.00, n = 60): "
                           "their separate effects are confounded; read the adjusted effects.")
    assert len(warnings) == 2 and "TPE" in warnings[1] and "tutorial" in warnings[1]
    random = trial_data(columns, **kinds, algo="random")
    assert len(confounding_warnings(random, associations(random))) == 1


def ingested(synthetic: Synthetic, algo: str, seed: int, trials: int = 60) -> TrialData:
    folder, _ = synthetic(f"{algo}-{seed}", trials=trials, epochs=3, algo=algo, seed=seed,
                          failed=5)
    with asql.connect() as db:
        db.ingest(folder, workers=1)
        return load_trials(db, "val_accuracy")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_synthetic_tpe_is_flagged_and_random_is_not(synthetic: Synthetic, seed: int) -> None:
    tpe = ingested(synthetic, "tpe", seed)
    pairs = associations(tpe)
    flagged = pairs[pairs["flagged"]]
    assert [(a, b) for a, b in zip(flagged["attribute_a"], flagged["attribute_b"], strict=True)
            ] == [(NF1, LR)]
    assert 0.55 < flagged["value"].iloc[0] < 0.9 and flagged["n"].iloc[0] == 60
    warnings = confounding_warnings(tpe, pairs)
    assert warnings[0].startswith("num_filter1 and lr were sampled together (Spearman 0.")
    assert "TPE" in warnings[-1]

    random = ingested(synthetic, "random", seed)
    pairs = associations(random)
    assert not pairs["flagged"].any(), pairs
    assert set(pairs["measure"]) == {"spearman", "correlation_ratio"}
    assert set(pairs["attribute_b"][pairs["measure"] == "correlation_ratio"]) == {ACT}
    assert {NF1, NF2, LR} <= set(pairs["attribute_a"]) | set(pairs["attribute_b"])
    assert confounding_warnings(random, pairs) == []


def test_holm_is_statsmodels_and_leaves_the_collector_as_it_was() -> None:
    """``holm`` gives statsmodels' Holm-adjusted p-values, and unfreezes what it froze."""
    p_values = [0.01, 0.04, 0.03, 0.2, 0.5]
    frozen = gc.get_freeze_count()
    np.testing.assert_array_equal(holm(p_values), multipletests(p_values, method="holm")[1])
    assert gc.get_freeze_count() == frozen


def test_holm_leaves_what_the_process_froze_frozen() -> None:
    """A process that froze objects itself (before forking, say) keeps them frozen."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        holm([0.01, 0.2])
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
