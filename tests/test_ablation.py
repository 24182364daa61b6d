"""The ablation from the baseline to the best: Shapley plans, the surrogate, contributions
with intervals against the planted model, interactions, top-quantile importance, guards."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.effects.ablation import _fit_sample, ablation_of
from ablation_sql.effects.ablation_intervals import refit_ci
from ablation_sql.effects.shapley import MAX_EXACT, shapley_plan
from ablation_sql.effects.surrogate import MIN_R2, encoding
from ablation_sql.effects.top_quantile import _best
from ablation_sql.errors import InputError
from ablation_sql.plots.ablation_figures import waterfall_figure
from ablation_sql.synthetic.planted import baseline, planted_shapley, planted_trials

from .support import trial_data

LR = "train_config.optimizer_config.arguments.lr"
ACT = "model_config.activation"
RESAMPLES = 40


def _brute_force(v, d: int) -> np.ndarray:
    """Shapley values by walking every order."""
    phi = np.zeros(d)
    orders = list(itertools.permutations(range(d)))
    for order in orders:
        mask = 0
        for i in order:
            phi[i] += v(mask | 1 << i) - v(mask)
            mask |= 1 << i
    return phi / len(orders)


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_exact_plan_is_the_shapley_value(d):
    rng = np.random.default_rng(d)
    table = rng.normal(size=1 << d)
    plan = shapley_plan(d)
    codes = (plan.masks * (1 << np.arange(d))).sum(axis=1)
    phi = plan.values(table[codes])
    assert plan.exact
    np.testing.assert_allclose(phi, _brute_force(lambda m: table[m], d), atol=1e-12)
    assert math.isclose(phi.sum(), table[-1] - table[0], abs_tol=1e-12)


def test_sampled_plan_beyond_the_exact_limit_adds_up():
    d = MAX_EXACT + 2
    rng = np.random.default_rng(0)
    w, pair = rng.normal(size=d), rng.normal()
    plan = shapley_plan(d, seed=1)
    v = plan.masks @ w + pair * plan.masks[:, 0] * plan.masks[:, 1]
    phi = plan.values(v)
    assert not plan.exact and len(plan.masks) < 1 << d
    assert math.isclose(phi.sum(), w.sum() + pair, rel_tol=1e-9)
    np.testing.assert_allclose(phi[2:], w[2:], atol=1e-9)  # additive parts are exact
    assert abs(phi[0] - (w[0] + pair / 2)) < 0.2 * abs(pair) + 1e-9


@pytest.fixture(scope="module")
def planted(synthetic, tmp_path_factory):
    """Ablations of one planted experiment with and one without the interaction."""
    out = {}
    for interaction in (True, False):
        folder, truth = synthetic("abl", trials=150, epochs=3, seed=2, interaction=interaction)
        path = tmp_path_factory.mktemp("abl") / "db.duckdb"
        with asql.connect(path) as db:
            db.ingest(folder)
            found = db.ablation("val_accuracy", policy="last", resamples=RESAMPLES, seed=3)
        out[interaction] = truth, found
    return out


@pytest.mark.parametrize("interaction", [True, False])
def test_contributions_add_up_and_hold_the_planted_shapley_values(planted, interaction):
    truth, found = planted[interaction]
    table = found.contributions
    est, low, high = found.predicted_change
    assert math.isclose(table["contribution"].sum(), est, abs_tol=1e-9)
    assert low <= est <= high and found.exact
    assert ((table["ci_low"] <= table["contribution"])
            & (table["contribution"] <= table["ci_high"])).all()
    assert found.surrogate["cv_r2"] >= MIN_R2 and not found.explains_little
    target = {a: found.target[a] for a in truth.baseline}
    exact = planted_shapley(truth.baseline, target, interaction=interaction)
    for row in table.itertuples():
        half = (row.ci_high - row.ci_low) / 2
        assert abs(row.contribution - exact[row.attribute]) < 3 * half + 0.005, row
    assert sorted(table["greedy_step"]) == list(range(1, len(table) + 1))
    best = truth.configs
    assert found.target_label.startswith("the best trial") and found.target[ACT] in {
        c[ACT] for c in best.values()}
    assert found.source == {**found.source, **baseline()}


def test_the_planted_interaction_is_found_and_said(planted):
    found = planted[True][1]
    top = found.interactions.iloc[0]
    assert {top.attribute_a, top.attribute_b} == {LR, ACT} and top.clear
    assert top.ci_low <= top.share <= top.ci_high
    sentence = next(s for s in found.findings if s.startswith("lr: "))
    assert "higher is better with elu" in sentence and "higher is worse with relu" in sentence
    assert found.surfaces[0].values.shape == (len(found.surfaces[0].grid_a),
                                              len(found.surfaces[0].grid_b))


def test_no_interaction_is_claimed_when_none_is_planted(planted):
    found = planted[False][1]
    assert not found.interactions["clear"].any()
    assert not any(s.startswith("lr: ") for s in found.findings)


def test_top_quantile_ranks_the_null_attribute_last(planted):
    for interaction, (_, found) in planted.items():
        table = found.top_quantile
        if not interaction:  # with it, activation's top share is small too
            assert table.loc[table["rank"].idxmax(), "attribute"] == "model_config.num_filter1"
        assert math.isclose(table["share"].sum(), 1.0)
        assert ((table["ci_low"] <= table["share"]) & (table["share"] <= table["ci_high"])).all()
        assert set(table["variance_rank"]) == {1, 2, 3, 4}


def _noise_data(n: int = 60, seed: int = 0):
    rng = np.random.default_rng(seed)
    data = trial_data({"a": rng.uniform(0, 1, n).tolist(),
                       "b": rng.choice(["x", "y", "z"], n).tolist()},
                      numerical=["a"], categorical=["b"])
    data.frame["value"] = rng.normal(size=n)
    return data


_NOISE = _noise_data()


def test_pure_noise_draws_no_conclusion():
    found = ablation_of(_noise_data(), source={"a": 0.1, "b": "x"}, resamples=20)
    assert found.explains_little
    assert found.findings[0].startswith("The surrogate explains little")
    assert not found.contributions["clear"].any() and not found.interactions["clear"].any()
    assert not any("predicts" in s for s in found.findings)
    assert "Findings:" in found.render() and "Contributions:" in found.render("markdown")


def test_a_given_target_and_source():
    with pytest.raises(InputError, match="no attribute"):
        ablation_of(_noise_data(), source={"nope": 1}, resamples=5)
    with pytest.raises(InputError, match="never sampled"):
        ablation_of(_noise_data(), source={"a": 0.1, "b": "w"}, resamples=5)
    with pytest.raises(InputError, match="resamples"):
        ablation_of(_noise_data(), resamples=1)
    with pytest.raises(InputError, match="top"):
        ablation_of(_noise_data(), top=1.5)
    with pytest.raises(InputError, match="at least"):
        ablation_of(_noise_data(n=8), resamples=5)
    data = _noise_data()
    found = ablation_of(data, source="t3", target={"a": 0.9, "b": "z"}, resamples=5)
    assert found.source_label == "trial t3" and found.target == {"a": 0.9, "b": "z"}
    assert found.source == {"a": data.frame["a"][3], "b": data.frame["b"][3]}


def test_render_formats(planted):
    found = planted[True][1]
    for fmt in ("table", "markdown"):
        text = found.render(fmt)
        assert "Interactions:" in text and "Top 10% importance:" in text
    csv = found.render("csv")
    assert csv.splitlines()[0].startswith("attribute,source,target,contribution")
    assert found.render_side("json").startswith("Findings:")
    assert pd.Series(found.to_dict()["contributions"]).size == len(found.contributions)


def test_database_method_on_a_subspace_experiment(synthetic, tmp_path: Path):
    folder, _ = synthetic("abl-sub", trials=80, epochs=3, seed=5, subspace=True,
                          interaction=True)
    with asql.connect(tmp_path / "db.duckdb") as db:
        db.ingest(folder)
        found = db.ablation("val_accuracy", resamples=10)
    assert "train_config.optimizer_config" in found.top_quantile["attribute"].tolist()
    assert math.isclose(found.contributions["contribution"].sum(), found.predicted_change[0],
                        abs_tol=1e-9)


@settings(max_examples=200, deadline=None)
@example(value=math.inf, text="{}")
@given(value=st.one_of(st.text(max_size=12), st.floats(allow_nan=True), st.none(),
                       st.booleans(), st.lists(st.integers(), max_size=2)),
       text=st.text(max_size=30))
def test_hostile_configurations_are_clean_errors(value, text):
    """Any value for an attribute, any text for the command's --source: an encoded row or an
    InputError, never another exception."""
    from ablation_sql.cli.ablation import _configuration

    try:
        parsed = _configuration(text, "--source")
    except InputError:
        parsed = None
    assert parsed is None or isinstance(parsed, str | dict)
    code = encoding(_NOISE)
    try:
        row = code.encode(pd.DataFrame([{"a": value, "b": "x"}]))
    except InputError:
        return
    assert row.shape == (1, 3) and np.isfinite(row).all() or value is None


def test_an_unusable_value_fails_before_the_surrogate_is_fitted(monkeypatch):
    import ablation_sql.effects.ablation as module

    monkeypatch.setattr(module, "fit_surrogate", lambda *a, **k: pytest.fail("fitted"))
    with pytest.raises(InputError, match="takes numbers"):
        ablation_of(_noise_data(), source={"a": "abc", "b": "x"}, resamples=2)


def test_one_attribute_and_nothing_to_change():
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, 40)
    data = trial_data({"a": a.tolist()}, numerical=["a"], categorical=[])
    data.frame["value"] = 2 * a + rng.normal(0, 0.1, 40)
    found = ablation_of(data, source={"a": 0.5}, resamples=5)
    assert found.interactions.empty and len(found.contributions) == 1
    assert found.contributions["contribution"].iloc[0] < 0  # direction min: the best is low a
    same = ablation_of(data, source={"a": 0.2}, target={"a": 0.2}, resamples=5)
    assert same.contributions.empty and same.findings[0].endswith("No attribute differs.")
    assert same.predicted_change == (0.0, 0.0, 0.0)


def test_the_surrogate_on_a_sample_of_the_trials_says_so():
    data = planted_trials(1, 80)
    found = ablation_of(data, resamples=10, seed=2, fit_trials=40)
    assert (found.n_used, found.n_fitted) == (80, 40) and found.to_dict()["n_fitted"] == 40
    assert any("fitted on 40 of the 80 used trials" in n for n in found.notes)
    assert "fitted on 40 of 80 trials" in found.findings[0]
    assert "fitted on 40 of 80 trials" in waterfall_figure(found).axes[0].get_title()
    best = data.used.loc[data.used["value"].idxmax(), "trial_uid"]
    assert best in found.target_label  # the best of every trial, not of the sample
    sample = _fit_sample(data, {best, None}, 40, seed=2)
    assert len(sample.used) == 40 and best in set(sample.used["trial_uid"])
    whole = ablation_of(data, resamples=10, seed=2, fit_trials=80)
    assert whole.n_fitted == 80 and not any("fitted on" in n for n in whole.notes)
    pd.testing.assert_frame_equal(whole.contributions,
                                  ablation_of(data, resamples=10, seed=2).contributions)
    with pytest.raises(InputError, match="fit_trials"):
        ablation_of(data, resamples=10, fit_trials=5)


def test_refit_intervals_are_normal_and_hold_their_estimate():
    boots = np.random.default_rng(0).normal(1.0, 0.5, size=(400, 3))
    low, high = refit_ci(np.array([1.0, 0.0, 3.0]), boots)
    half = 1.959964 * boots.std(axis=0, ddof=1)
    np.testing.assert_allclose(high - low, 2 * half, rtol=1e-5)
    np.testing.assert_allclose((low + high) / 2, [1.0, 0.0, 3.0])
    assert np.isnan(refit_ci(np.array([1.0]), boots[:1, :1])[0]).all()


@settings(max_examples=200, deadline=None)
@given(key=st.lists(st.integers(0, 4), min_size=1, max_size=60), n=st.integers(1, 70))
def test_the_top_rows_by_partition_are_those_of_a_stable_sort(key, n):
    values = np.array(key, dtype=float)
    rows = np.arange(100, 100 + len(key))
    expected = rows[np.argsort(values, kind="stable")][:n]
    assert sorted(_best(values, rows, n)) == sorted(expected)
