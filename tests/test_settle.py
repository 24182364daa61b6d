"""When the ranking settles: the named query ranking_settle, Database.settle, the command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import ablation_sql as asql
from ablation_sql.effects.settle import settled_step
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
    out = []
    for step in wide.columns:
        now = running[step]
        order_now = now.reset_index().sort_values([step, "trial_uid"],
                                                  ascending=[False, True])["trial_uid"]
        order_final = final.rename("v").reset_index().sort_values(
            ["v", "trial_uid"], ascending=[False, True])["trial_uid"]
        out.append({"step": step, "n": len(now),
                    "spearman": stats.spearmanr(now, final).statistic,
                    "top_k_kept": len(set(order_now[:top_k]) & set(order_final[:top_k])),
                    "winner_leads": order_now.iloc[0] == order_final.iloc[0]})
    return pd.DataFrame(out)


@pytest.mark.parametrize("policy", ["best", "last"])
def test_ranking_settle_matches_a_computation_by_hand(crossing, policy):
    path, _ = crossing
    with asql.connect(path, read_only=True) as db:
        got = db.query("ranking_settle", metric="val_accuracy", reduction=policy, top_k=4)
        want = _by_hand(db, policy, 4)
    assert list(got["step"]) == list(want["step"]) and set(got["n"]) == {27}
    assert np.allclose(got["spearman"].astype(float), want["spearman"], atol=1e-9)
    assert list(got["top_k_kept"]) == list(want["top_k_kept"])
    assert list(got["winner_leads"]) == list(want["winner_leads"])


def test_settled_steps_match_the_noise_free_curves(crossing):
    path, truth = crossing
    with asql.connect(path, read_only=True) as db:
        result = db.settle("val_accuracy", policy="last", top_k=5)
    names = [n for n, s in truth.statuses.items() if s == "complete"]
    curves = np.array([truth.curves[n] for n in names])
    final_top = set(np.argsort(-curves[:, -1])[:5])
    same = np.array([set(np.argsort(-curves[:, e])[:5]) == final_top
                     for e in range(curves.shape[1])])
    expected = settled_step(same, pd.Series(range(curves.shape[1])))
    got = result.settled["top_k_step"].iloc[0]
    assert (pd.isna(got) and expected is None) or abs(int(got) - int(expected)) <= 1
    table = result.table
    assert ((table["ci_low"] <= table["spearman"]) & (table["spearman"] <= table["ci_high"])).all()
    assert table["spearman"].iloc[-1] == pytest.approx(1.0) and table["spearman"].iloc[0] < 0.99


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
    assert run.stdout.startswith("experiment_id,step,n,spearman,ci_low,ci_high")
    assert "top 5 set" in run.stderr
    bad = subprocess.run([sys.executable, "-m", "ablation_sql", "settle", "--metric", "nope",
                          "--db", str(path)], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
