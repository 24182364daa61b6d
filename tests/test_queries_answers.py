"""Every query of the library against an answer computed independently of SQL (from the
experiment files, with pandas/numpy/scipy)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.queries import run_query

from .support import DB_STATUS, Folder, best, plain, reduce_trial, write_experiment

stats = pytest.importorskip("scipy.stats")

ACT = "model_config.activation"
LR = "train_config.optimizer_config.arguments.lr"


@pytest.fixture(scope="module")
def data(three_experiments):
    path, folders, truths = three_experiments
    statuses = {eid: {uid: DB_STATUS[s] for uid, s in truth.db_states.items()}
                for eid, truth in truths.items()}
    statuses["tutorial-tpe"] = {uid: "complete" for uid in folders["tutorial-tpe"].trials}
    with asql.connect(path, read_only=True) as db:
        yield db, folders, statuses


def ci(values: np.ndarray) -> tuple[float | None, float | None]:
    n = len(values)
    if n < 2:
        return None, None
    half = stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1) / math.sqrt(n)
    return values.mean() - half, values.mean() + half


def close(have: Any, want: Any, rel: float = 1e-9) -> bool:
    have = plain(have)
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return have is None
    return have is not None and have == pytest.approx(want, rel=rel, abs=1e-12)


def reduced(folder: Folder, metric: str, statuses: dict[str, str] | None = None,
            status: str | None = None, **options: Any) -> pd.Series:
    """Every trial's finite reduced value (the effects' input), by trial."""
    values = {}
    for uid in folder.trials:
        if status is not None and statuses[uid] != status:
            continue
        value = reduce_trial(folder, uid, metric, **options)
        if value is not None and math.isfinite(value):
            values[uid] = value
    return pd.Series(values, dtype=float)


# --- every query against an independent answer ----------------------------------------------

def _ranked(values: dict[str, float], direction: str) -> list[tuple[str, float, int]]:
    """(trial, value, competition rank), best first; infinities after every finite value."""
    def key(item: tuple[str, float]) -> tuple:
        uid, v = item
        return (math.isinf(v), v if direction == "min" else -v, uid)

    order = sorted(values.items(), key=key)
    out, rank = [], 0
    for i, (uid, v) in enumerate(order):
        if i == 0 or key(order[i - 1])[:2] != key((uid, v))[:2]:
            rank = i + 1
        out.append((uid, v, rank))
    return out


@pytest.mark.parametrize("eid, params", [
    ("tutorial-tpe", {}),
    ("synth-random", {"k": 7, "metric": "val_accuracy"}),
    ("synth-random", {"k": 5, "status": "complete", "reduction": "last"}),
    ("synth-random", {"k": 1000, "status": None}),
    ("synth-random", {"k": 1000, "status": "running", "metric": "val_accuracy"}),
    ("synth-tpe", {"k": 4, "metric": "val_accuracy", "reduction": "at_best",
                   "by_metric": "val_loss"}),
    ("tutorial-tpe", {"k": 3, "metric": "val_accuracy", "reduction": "mean_last",
                      "last_k": 2, "direction": "max"}),
])
def test_top_trials(data, eid: str, params: dict) -> None:
    db, folders, statuses = data
    folder = folders[eid]
    metric = params.get("metric", "val_loss")
    direction = params.get("direction") or folder.directions[metric]
    options = {"reduction": params.get("reduction", "best"), "k": params.get("last_k", 5),
               "by_metric": params.get("by_metric"), "direction": params.get("direction")}
    values = {}
    status = params.get("status", "complete")  # complete trials unless widened
    for uid in folder.trials:
        if status and statuses[eid][uid] != status:
            continue
        value = reduce_trial(folder, uid, metric, **options)
        if value is not None:
            values[uid] = value
    want = _ranked(values, direction)[:params.get("k", 10)]
    got = db.query("top_trials", experiment=eid, **params)
    assert got.trial_uid.tolist() == [uid for uid, _, _ in want]
    assert got["rank"].tolist() == [rank for _, _, rank in want]
    assert all(close(h, w) for h, (_, w, _) in zip(got.value, want, strict=True))
    assert set(got.direction) == {direction} and set(got.metric) == {metric}
    for _, row in got.iterrows():
        for attribute in folder.space:
            assert plain(row[attribute]) == folder.attribute(row.trial_uid, attribute)
        assert row.status == statuses[eid][row.trial_uid]


@pytest.mark.parametrize("options", [{}, {"status": "complete", "reduction": "last",
                                          "metric": "val_accuracy", "direction": "max"}])
def test_categorical_effects(data, options: dict) -> None:
    db, folders, statuses = data
    got = db.query("categorical_effects", **options)
    metric = options.get("metric", "val_loss")
    experiments = [e for e in folders if metric in set(folders[e].metrics.name)]
    assert sorted(set(got.experiment_id)) == sorted(experiments)
    for eid in experiments:
        folder = folders[eid]
        direction = options.get("direction") or folder.directions[metric]
        values = reduced(folder, metric, statuses[eid], options.get("status"),
                         reduction=options.get("reduction", "best"), direction=direction)
        levels = pd.Series({uid: folder.attribute(uid, ACT) for uid in values.index})
        mine = got[got.experiment_id == eid].set_index("level")
        declared = folder.space[ACT]["categorical_values"]
        present = [c for c in declared if c in set(levels)]
        assert mine.index.tolist() == present  # in declaration order
        assert set(mine.attribute) == {ACT}
        for level in present:
            v = values[levels == level].to_numpy()
            row = mine.loc[level]
            assert row.n == len(v)
            assert close(row["mean"], v.mean()) and close(row["median"], np.median(v))
            assert close(row["std"], np.std(v, ddof=1) if len(v) > 1 else None)
            assert close(row.best, v.max() if direction == "max" else v.min())
            low, high = ci(v)
            assert close(row.ci_low, low) and close(row.ci_high, high)


@pytest.mark.parametrize("options", [{}, {"log_x": False, "metric": "val_accuracy",
                                          "status": "complete", "experiment": "synth-tpe"}])
def test_numerical_effects(data, options: dict) -> None:
    db, folders, statuses = data
    got = db.query("numerical_effects", **options)
    metric = options.get("metric", "val_loss")
    experiments = [e for e in folders if metric in folders[e].directions
                   and options.get("experiment", e) == e]
    assert sorted(set(got.experiment_id)) == sorted(experiments)
    for eid in experiments:
        folder = folders[eid]
        y_all = reduced(folder, metric, statuses[eid], options.get("status"))
        mine = got[got.experiment_id == eid].set_index("attribute")
        numerical = sorted(n for n, s in folder.space.items() if s.get("value_range"))
        assert mine.index.tolist() == numerical
        for name in numerical:
            logged = options.get("log_x", True) and folder.space[name].get("log")
            xs = pd.Series({uid: folder.attribute(uid, name) for uid in y_all.index},
                           dtype=float).dropna()
            y = y_all[xs.index].to_numpy()
            x = np.log10(xs.to_numpy()) if logged else xs.to_numpy()
            row = mine.loc[name]
            fit = stats.linregress(x, y)
            assert row.scale == ("log10" if logged else "linear") and row.n == len(x)
            assert close(row.slope, fit.slope, 1e-7)
            assert close(row.intercept, fit.intercept, 1e-7)
            assert close(row.pearson_r, fit.rvalue, 1e-7)
            assert close(row.r_squared, fit.rvalue ** 2, 1e-7)
            assert close(row.spearman_rho, stats.spearmanr(x, y).statistic, 1e-7)


def _bins(folder: Folder, name: str, uids: list[str], bins: int) -> dict[str, str]:
    """The level label of each trial for a numerical attribute, computed with numpy."""
    spec = folder.space[name]
    low, high = (float(v) for v in spec["value_range"])
    logged = bool(spec.get("log")) and low > 0

    def t(v: float) -> float:
        return math.log10(v) if logged else v

    def edge(i: int) -> float:
        raw = t(low) + i * (t(high) - t(low)) / bins
        return 10 ** raw if logged else raw

    labels = {}
    for uid in uids:
        x = folder.attribute(uid, name)
        if x is None:
            continue
        b = int(min(max(math.floor(bins * (t(x) - t(low)) / (t(high) - t(low))), 0), bins - 1))
        close_ = "]" if b == bins - 1 else ")"
        labels[uid] = f"[{edge(b):.4g}, {edge(b + 1):.4g}{close_}"
    return labels


@pytest.mark.parametrize("attribute, bins", [(ACT, 4), (LR, 3), ("model_config.num_filter2", 0)])
def test_learning_curves(data, attribute: str, bins: int) -> None:
    db, folders, _ = data
    got = db.query("learning_curves", attribute=attribute, metric="val_accuracy", bins=bins,
                   experiment="synth-random")
    folder = folders["synth-random"]
    uids = list(folder.configs)
    if attribute == ACT:
        levels = {uid: folder.attribute(uid, ACT) for uid in uids}
    elif bins:
        levels = _bins(folder, attribute, uids, bins)
    else:
        levels = {uid: str(folder.attribute(uid, attribute)) for uid in uids}
    m = folder.metrics[(folder.metrics.name == "val_accuracy")
                       & np.isfinite(folder.metrics.value)].copy()
    m["level"] = m.trial_uid.map(levels)
    m = m.dropna(subset=["level"])
    want = m.groupby(["level", "step"]).value
    assert len(got) == want.ngroups
    for row in got.itertuples():
        v = want.get_group((row.level, row.step)).to_numpy()
        assert row.n == len(v) and close(row.mean, v.mean())
        assert close(row.std, np.std(v, ddof=1) if len(v) > 1 else None)
        low, high = ci(v)
        assert close(row.ci_low, low) and close(row.ci_high, high)
    if attribute == ACT:  # levels in declaration order, steps ascending
        order = list(dict.fromkeys(got.level))
        assert order == [c for c in folder.space[ACT]["categorical_values"] if c in order]


@pytest.mark.parametrize("binning", ["width", "quantile"])
def test_learning_curves_of_every_attribute_at_once(data, binning: str) -> None:
    """No attribute: every attribute's rows, each as its own query gives them, in order."""
    db, _, _ = data
    every = db.query("learning_curves", metric="val_accuracy", binning=binning)
    names = list(dict.fromkeys(every["attribute"]))
    assert names == sorted(names) and len(names) >= 3
    for name in names:
        one = db.query("learning_curves", metric="val_accuracy", binning=binning,
                       attribute=name)
        mine = every[every["attribute"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one, check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("binning", ["width", "quantile"])
def test_learning_curves_of_several_metrics_at_once(data, binning: str) -> None:
    """Several metrics: each one's rows as its own query gives them, in the order given."""
    db, _, _ = data
    both = db.query("learning_curves", metric=["val_loss", "val_accuracy"], binning=binning,
                    status="complete")
    assert list(dict.fromkeys(both["metric"])) == ["val_loss", "val_accuracy"]
    for metric in ("val_loss", "val_accuracy"):
        one = db.query("learning_curves", metric=metric, binning=binning, status="complete")
        assert set(one["metric"]) == {metric} and len(one) > 0
        mine = both[both["metric"] == metric].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one, check_exact=False, rtol=1e-12)


def test_trial_status(data) -> None:
    db, folders, statuses = data
    got = db.query("trial_status", bins=4)
    for eid, folder in folders.items():
        mine = got[got.experiment_id == eid]
        total = mine[mine.attribute.isna()].iloc[0]
        counts = Counter(statuses[eid].values())
        assert total.trials == len(folder.trials)
        for status in ("complete", "failed", "running", "pruned", "waiting", "unknown",
                       "missing"):
            assert total[status] == counts.get(status, 0), (eid, status)
        ended = counts["complete"] + counts["failed"]
        assert close(total.failure_rate, counts["failed"] / ended if ended else None)
        uids = list(folder.configs)
        for name in folder.space:
            if folder.space[name].get("categorical_values"):
                levels = {uid: folder.attribute(uid, name) for uid in uids}
            else:
                levels = _bins(folder, name, uids, 4)
            rows = mine[mine.attribute == name].set_index("level")
            by_level: dict[str, Counter] = {}
            for uid, level in levels.items():
                by_level.setdefault(level, Counter())[statuses[eid][uid]] += 1
            assert set(rows.index) == set(by_level), (eid, name)
            for level, c in by_level.items():
                row = rows.loc[level]
                assert row.trials == sum(c.values()) and row.failed == c["failed"]
                ended = c["complete"] + c["failed"]
                assert close(row.failure_rate, c["failed"] / ended if ended else None)


def test_search_space_coverage(data) -> None:
    db, folders, _ = data
    got = db.query("search_space_coverage")
    for eid, folder in folders.items():
        mine = got[got.experiment_id == eid].set_index("attribute")
        assert sorted(mine.index) == sorted(folder.space)
        for name, spec in folder.space.items():
            row = mine.loc[name]
            sampled = [folder.attribute(uid, name) for uid in folder.configs]
            sampled = [v for v in sampled if v is not None]
            assert row.trials == len(sampled) and row.distinct_values == len(set(sampled))
            if spec.get("categorical_values"):
                declared = [str(c) for c in spec["categorical_values"]]
                assert list(row.declared_categories) == declared
                assert sorted(row.sampled_categories) == sorted({str(v) for v in sampled})
                assert sorted(row.missing_categories) == sorted(set(declared) - set(sampled))
                assert row.out_of_range == sum(str(v) not in declared for v in sampled)
                assert close(row.coverage, len(set(declared) & set(sampled)) / len(declared))
            else:
                low, high = (float(v) for v in spec["value_range"])
                assert row.declared_low == low and row.declared_high == high
                assert row.sampled_min == min(sampled) and row.sampled_max == max(sampled)
                assert row.out_of_range == sum(not low <= v <= high for v in sampled)
                top, bottom = min(max(sampled), high), max(min(sampled), low)
                if spec.get("log"):
                    want = (math.log10(top) - math.log10(bottom)) / (
                        math.log10(high) - math.log10(low))
                else:
                    want = (top - bottom) / (high - low)
                assert close(row.coverage, max(want, 0.0))


@pytest.mark.parametrize("options", [{}, {"metric": "val_accuracy", "status": "complete",
                                          "reduction": "last", "direction": "max"}])
def test_compare_experiments(data, options: dict) -> None:
    db, folders, statuses = data
    metric = options.get("metric", "val_loss")
    got = db.query("compare_experiments", **options).set_index("experiment_id")
    experiments = sorted(e for e in folders if metric in set(folders[e].metrics.name))
    assert got.index.tolist() == experiments
    for eid in experiments:
        folder = folders[eid]
        direction = options.get("direction") or folder.directions[metric]
        trials = [u for u in folder.trials
                  if not options.get("status") or statuses[eid][u] == options["status"]]
        values = reduced(folder, metric, statuses[eid], options.get("status"),
                         reduction=options.get("reduction", "best"),
                         direction=direction).to_numpy()
        row = got.loc[eid]
        assert row.trials == len(trials) and row.n == len(values)
        assert row.direction == direction
        best_value = values.max() if direction == "max" else values.min()
        assert close(row.best, best_value)
        series = reduced(folder, metric, statuses[eid], options.get("status"),
                         reduction=options.get("reduction", "best"), direction=direction)
        assert row.best_trial == min(series[series == best_value].index)
        assert close(row["mean"], values.mean()) and close(row["median"], np.median(values))
        assert close(row["std"], np.std(values, ddof=1))
        low, high = ci(values)
        assert close(row.ci_low, low) and close(row.ci_high, high)


def test_run_query_function(data) -> None:
    db, folders, _ = data
    frame = run_query(db.con, "compare_experiments")
    assert list(frame.experiment_id) == sorted(folders)
    assert best([(0, 2.0), (1, 1.0)], "min") == (1.0, 1)


def test_subspaces_int_categories_and_clipped_coverage(tmp_path: Path) -> None:
    space = {
        "optimizer": {"subspaces": [
            {"sub_configuration": {"name": "sgd", "arguments": {
                "lr": {"value_range": ["0.01", "0.1"], "value_type": "float"}}}},
            {"sub_configuration": {"name": "adam", "arguments": {"lr": 0.001}}},
            {"sub_configuration": {"name": "rmsprop", "arguments": {"lr": 0.001}}}]},
        "batch": {"categorical_values": [16, 32, 64]},
    }
    trials = {}
    for i in range(6):
        optimizer = ({"name": "sgd", "arguments": {"lr": 0.02 * (i + 1)}} if i % 2
                     else {"name": "adam", "arguments": {"lr": 0.001}})
        trials[f"t{i}"] = ({"optimizer": optimizer, "batch": [16, 32][i % 2]},
                           [{"loss": 1.0 / (i + 1)}, {"loss": 0.5 / (i + 1)}])
    db = asql.connect()
    db.ingest(write_experiment(tmp_path / "sub", {"optim_metrics": {"loss": "min"},
                                                  "search_space": space}, trials), workers=1)
    effects = db.query("categorical_effects", metric="loss").set_index(["attribute", "level"])
    assert effects.n.to_dict() == {("batch", "16"): 3, ("batch", "32"): 3,
                                   ("optimizer", "sgd"): 3, ("optimizer", "adam"): 3}
    assert effects.best[("optimizer", "sgd")] == 0.5 / 6
    coverage = db.query("search_space_coverage").set_index("attribute")
    assert list(coverage.missing_categories["batch"]) == ["64"]
    assert list(coverage.declared_categories["optimizer"]) == ["sgd", "adam", "rmsprop"]
    assert list(coverage.missing_categories["optimizer"]) == ["rmsprop"]
    assert coverage.coverage["optimizer"] == pytest.approx(2 / 3)
    lr = coverage.loc["optimizer.arguments.lr"]
    # sampled 0.001 (adam's fixed value) .. 0.12: clipped to the declared 0.01 .. 0.1
    assert (lr.sampled_min, lr.sampled_max, lr.out_of_range) == (0.001, pytest.approx(0.12), 4)
    assert lr.coverage == 1.0
    status = db.query("trial_status", bins=2).dropna(subset=["attribute"])
    assert set(status[status.attribute == "optimizer"].level) == {"sgd", "adam"}
