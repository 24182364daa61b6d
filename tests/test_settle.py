"""When the ranking settles: the named query ranking_settle, Database.settle, the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ablation_sql as asql
from ablation_sql.effects.settle import _interval, settled_step, tolerance_of
from ablation_sql.synthetic import generate_experiment


@pytest.fixture(scope="module")
def crossing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """Noise-free curves that cross (speeds differ), a few failed trials."""
    root = tmp_path_factory.mktemp("settle")
    truth = generate_experiment(root / "exp", trials=30, epochs=8, noise=0.0, seed_noise=0.0,
                                speed_spread=0.6, failed=3, seed=4)
    with asql.connect(root / "db.duckdb") as db:
        db.ingest(root / "exp")
    return root / "db.duckdb", truth


def _by_hand(db: asql.Database, policy: str, top_k: int) -> pd.DataFrame:
    """The query's numbers from the results view, with pandas and scipy."""
    rows = db.sql("SELECT r.trial_uid, r.step, r.val_accuracy FROM results r JOIN trials t "
                  "USING (experiment_id, trial_uid) WHERE t.status = 'complete' "
                  "ORDER BY r.trial_uid, r.step")
    wide = rows.pivot(index="trial_uid", columns="step", values="val_accuracy")
    running = wide.cummax(axis=1) if policy == "best" else wide
    final = wide.max(axis=1) if policy == "best" else wide.iloc[:, -1]
    third = np.diff(wide.to_numpy(), n=3, axis=1)
    noise = np.median(np.abs(third)) / (stats.norm.ppf(0.75) * np.sqrt(20))
    out = []
    for step in wide.columns:
        now = running[step]
        order_now = now.reset_index().sort_values([step, "trial_uid"],
                                                  ascending=[False, True])["trial_uid"]
        order_final = final.rename("v").reset_index().sort_values(
            ["v", "trial_uid"], ascending=[False, True])["trial_uid"]
        out.append({"step": step, "n": len(now),
                    "spearman": stats.spearmanr(now, final).statistic,
                    "kendall": stats.kendalltau(now, final).statistic,
                    "top_k_kept": len(set(order_now[:top_k]) & set(order_final[:top_k])),
                    "top_k_loss": final[order_final[:top_k]].mean()
                    - final[order_now[:top_k]].mean(),
                    "winner_leads": order_now.iloc[0] == order_final.iloc[0],
                    "winner_loss": final.max() - final[order_now.iloc[0]],
                    "noise": noise})
    return pd.DataFrame(out)


@pytest.mark.parametrize("policy", ["best", "last"])
def test_ranking_settle_matches_a_computation_by_hand(crossing, policy):
    path, _ = crossing
    with asql.connect(path, read_only=True) as db:
        got = {m: db.query("ranking_settle", metric="val_accuracy", reduction=policy, top_k=4,
                           method=m) for m in ("spearman", "kendall")}
        want = _by_hand(db, policy, 4)
    for method, rows in got.items():
        assert list(rows["step"]) == list(want["step"]) and set(rows["n"]) == {27}
        assert np.allclose(rows["correlation"].astype(float), want[method], atol=1e-9)
        assert list(rows["top_k_kept"]) == list(want["top_k_kept"])
        assert list(rows["winner_leads"]) == list(want["winner_leads"])
        for column in ("top_k_loss", "winner_loss", "noise"):
            assert np.allclose(rows[column].astype(float), want[column], atol=1e-9), column
    assert (got["kendall"]["correlation"] < got["spearman"]["correlation"]).iloc[:-1].all()


@pytest.fixture(scope="module")
def tied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Noisy curves rounded to 2 decimals: many trials tie, at a step and at the end."""
    root = tmp_path_factory.mktemp("tied")
    generate_experiment(root / "exp", trials=40, epochs=8, noise=0.02, seed_noise=0.0,
                        speed_spread=0.6, failed=3, seed=5)
    with asql.connect(root / "db.duckdb") as db:
        db.ingest(root / "exp")
    con = duckdb.connect(str(root / "db.duckdb"))
    con.execute("UPDATE metrics SET value = round(value, 2)")
    con.execute("UPDATE trial_best_cache SET best_value = round(best_value, 2), "
                "last_value = round(last_value, 2)")
    con.close()
    return root / "db.duckdb"


@pytest.mark.parametrize("policy", ["best", "last"])
def test_ranking_settle_with_ties_matches_a_computation_by_hand(tied, policy):
    """Average ranks for tied values (as scipy's), the top k and the leader by trial id."""
    with asql.connect(tied, read_only=True) as db:
        want = _by_hand(db, policy, 5)
        ties = db.sql("SELECT count(*) - count(DISTINCT (step, value)) AS n FROM metrics "
                      "WHERE name = 'val_accuracy'")["n"].iloc[0]
        assert ties > 50  # the rounding made ties at most steps
        for method in ("spearman", "kendall"):
            rows = db.query("ranking_settle", metric="val_accuracy", reduction=policy,
                            top_k=5, method=method)
            assert list(rows["step"]) == list(want["step"])
            assert list(rows["n"]) == list(want["n"])
            assert np.allclose(rows["correlation"].astype(float), want[method], atol=1e-9)
            assert list(rows["top_k_kept"]) == list(want["top_k_kept"])
            assert list(rows["winner_leads"]) == list(want["winner_leads"])
            for column in ("top_k_loss", "winner_loss", "noise"):
                assert np.allclose(rows[column].astype(float), want[column], atol=1e-9), column


@pytest.fixture(scope="module")
def two_experiments(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """Two experiments in one database; one trial of the second has no value at step 2."""
    root = tmp_path_factory.mktemp("two")
    generate_experiment(root / "a", trials=20, epochs=6, noise=0.02, failed=2, seed=6)
    generate_experiment(root / "b", trials=15, epochs=7, noise=0.02, seed=7)
    with asql.connect(root / "db.duckdb") as db:
        db.ingest(root / "a")
        db.ingest(root / "b")
    con = duckdb.connect(str(root / "db.duckdb"))
    trial = con.execute("SELECT min(trial_uid) FROM trials WHERE experiment_id = 'b'").fetchone()[0]
    con.execute("DELETE FROM metrics WHERE experiment_id = 'b' AND trial_uid = ? AND step = 2",
                [trial])
    con.close()
    return root / "db.duckdb", "a", "b"


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_ranking_settle_of_several_experiments_is_each_experiment_alone(two_experiments, method):
    """Each experiment's rows equal the query of that experiment alone; a step where a trial has
    no value is left out of its experiment only."""
    path, a, b = two_experiments
    with asql.connect(path, read_only=True) as db:
        for policy in ("best", "last", "mean_last"):
            both = db.query("ranking_settle", metric="val_loss", reduction=policy, top_k=3,
                            method=method)
            assert list(both["experiment_id"].unique()) == [a, b]
            for experiment in (a, b):
                alone = db.query("ranking_settle", metric="val_loss", reduction=policy,
                                 top_k=3, method=method, experiment=experiment)
                mine = both[both["experiment_id"] == experiment].reset_index(drop=True)
                pd.testing.assert_frame_equal(mine, alone, check_exact=False, rtol=1e-12)
            assert list(both.loc[both["experiment_id"] == a, "step"]) == list(range(6))
            assert list(both.loc[both["experiment_id"] == b, "step"]) == [0, 1, 3, 4, 5, 6]
            assert set(both.loc[both["experiment_id"] == a, "n"]) == {18}
            assert set(both.loc[both["experiment_id"] == b, "n"]) == {15}


def _settled_by_hand(curves: np.ndarray, top: int, tolerance: float) -> int | None:
    """The rule on noise-free curves: the first step from which the top ``top`` then end
    within ``tolerance`` of the final top's mean."""
    final = curves[:, -1]
    best = np.sort(final)[::-1][:top].mean()
    loss = np.array([best - final[np.argsort(-curves[:, e])[:top]].mean()
                     for e in range(curves.shape[1])])
    return settled_step(loss <= tolerance + 1e-9, pd.Series(range(curves.shape[1])))


@pytest.mark.parametrize("method", ["spearman", "kendall"])
def test_settled_steps_match_the_noise_free_curves(crossing, method):
    path, truth = crossing
    names = [n for n, s in truth.statuses.items() if s == "complete"]
    curves = np.array([truth.curves[n] for n in names])
    with asql.connect(path, read_only=True) as db:
        for tolerance in (0.0, 0.01):
            result = db.settle("val_accuracy", policy="last", top_k=5, method=method,
                               tolerance=tolerance)
            for top, column in ((5, "top_k_step"), (1, "winner_step")):
                expected = _settled_by_hand(curves, top, tolerance)
                got = result.settled[column].iloc[0]
                assert (pd.isna(got) and expected is None) or got == expected
        assert result.settled["tolerance"].iloc[0] == 0.01
        estimated = db.settle("val_accuracy", method=method).settled.iloc[0]
    assert estimated["noise"] < 0.003  # noise-free curves: their curvature and rounding
    table = result.table
    assert result.method == method
    assert ((table["ci_low"] <= table["correlation"])
            & (table["correlation"] <= table["ci_high"])).all()
    assert table["correlation"].iloc[-1] == pytest.approx(1.0)
    assert table["correlation"].iloc[0] < 0.99


def test_intervals_by_method():
    """Fisher z intervals: Bonett-Wright's variance for Spearman, 0.437 / (n - 4) for Kendall,
    NaN when n is too small, a point at |r| = 1."""
    low, high = _interval(0.5, 50, "spearman")
    half = stats.norm.ppf(0.975) * np.sqrt((1 + 0.125) / 47)
    assert (low, high) == pytest.approx((np.tanh(np.arctanh(0.5) - half),
                                         np.tanh(np.arctanh(0.5) + half)))
    low, high = _interval(0.5, 50, "kendall")
    half = stats.norm.ppf(0.975) * np.sqrt(0.437 / 46)
    assert (low, high) == pytest.approx((np.tanh(np.arctanh(0.5) - half),
                                         np.tanh(np.arctanh(0.5) + half)))
    assert np.isnan(_interval(0.5, 4, "kendall")[0]) and not np.isnan(_interval(0.5, 4,
                                                                               "spearman")[0])
    assert _interval(1.0, 10, "kendall") == (1.0, 1.0)


def test_kendall_interval_covers_on_bivariate_normal_samples():
    """The Kendall interval holds the population tau (2/pi asin rho) at about 95 %."""
    rng = np.random.default_rng(7)
    rho, n, hits = 0.6, 40, []
    tau = 2 / np.pi * np.arcsin(rho)
    for _ in range(400):
        x = rng.standard_normal(n)
        y = rho * x + np.sqrt(1 - rho**2) * rng.standard_normal(n)
        low, high = _interval(stats.kendalltau(x, y).statistic, n, "kendall")
        hits.append(low <= tau <= high)
    assert 0.91 <= np.mean(hits) <= 0.99


def test_tolerance_and_method_are_checked(crossing):
    path, _ = crossing
    with asql.connect(path, read_only=True) as db:
        for bad in ({"method": "pearson"}, {"tolerance": -0.1}, {"tolerance": float("nan")}):
            with pytest.raises(asql.InputError):
                db.settle("val_accuracy", **bad)
    assert tolerance_of(0.01) == pytest.approx(1.959964 * np.sqrt(2) * 0.01)
    assert tolerance_of(float("nan")) == 0.0


def test_settled_step_rules():
    steps = pd.Series(range(5))
    assert settled_step(np.array([False, True, True, True, True]), steps) == 1
    assert settled_step(np.array([True, False, True, True, True]), steps) == 2
    assert settled_step(np.array([True] * 5), steps) == 0
    assert settled_step(np.array([False, False, False, False, True]), steps) is None


def test_settle_command(crossing):
    path, _ = crossing
    run = subprocess.run([sys.executable, "-m", "ablation_sql", "settle", "--metric",
                          "val_accuracy", "--db", str(path), "--format", "csv"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("experiment_id,step,n,correlation,ci_low,ci_high")
    assert "top 5 set" in run.stderr and "Spearman" in run.stderr
    kendall = subprocess.run([sys.executable, "-m", "ablation_sql", "settle", "--metric",
                              "val_accuracy", "--db", str(path), "--method", "kendall",
                              "--tolerance", "0"], capture_output=True, text=True)
    assert kendall.returncode == 0, kendall.stderr
    assert "at Kendall" in kendall.stdout and "within 0 of the final" in kendall.stdout
    run = subprocess.run([sys.executable, "-m", "ablation_sql", "settle", "--metric",
                          "val_accuracy", "--db", str(path), "--tolerance", "-1"],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "tolerance" in run.stderr and "Traceback" not in run.stderr
    bad = subprocess.run([sys.executable, "-m", "ablation_sql", "settle", "--metric", "nope",
                          "--db", str(path)], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
