"""The named queries attribute_associations and failure_rates against the Python effects
checks (ablation_sql.effects.associations / failures) and scipy on the same data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats.contingency import association

import ablation_sql as asql
from ablation_sql.effects.associations import associations
from ablation_sql.effects.data import load_trials
from ablation_sql.effects.failures import failure_rates
from ablation_sql.synthetic.generate import ACT, LR, NF1, generate_experiment

from .support import write_experiment

COLORS = ("red", "green", "blue")


def hand_made(path: Path) -> Path:
    """Two categorical attributes (associated), a log attribute with 3 values, a numerical one;
    NaN, infinite and missing values, and a trial without one attribute."""
    space = {
        "color": {"categorical_values": list(COLORS)},
        "shape": {"categorical_values": ["square", "round"]},
        "lr": {"value_range": ["0.001", "0.1"], "value_type": "float", "log": True},
        "width": {"value_range": ["1", "40"], "value_type": "int"},
    }
    rng = np.random.default_rng(9)
    trials = {}
    for i in range(40):
        color = COLORS[i % 3]
        shape = "square" if (color == "red") != (rng.random() < 0.15) else "round"
        config = {"color": color, "shape": shape, "lr": [0.001, 0.01, 0.1][i % 3 if i % 4 else 0],
                  "width": int(rng.integers(1, 41))}
        if i == 7:
            del config["width"]
        loss = ["NaN"] if i % 9 == 4 else ["Infinity"] if i % 11 == 5 else [1.0 / (i + 1)]
        rows = "[" + ",".join(f'{{"loss": {v}}}' for v in loss) + "]"
        trials[f"t{i:02d}"] = (config, rows)
    master = {"optim_metrics": {"loss": "min"}, "search_space": space, "search_algo": "random"}
    return write_experiment(path, master, trials)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    root = tmp_path_factory.mktemp("queries_effects")
    generate_experiment(root / "synth-tpe", trials=120, epochs=3, algo="tpe", seed=5, failed=8,
                        running=3, broken=6)
    generate_experiment(root / "synth-random", trials=90, epochs=3, seed=6, failed=6)
    hand_made(root / "hand")
    path = root / "db.duckdb"
    with asql.connect(path) as db:
        db.ingest(root / "synth-tpe", root / "synth-random", root / "hand", workers=1)
    with asql.connect(path, read_only=True) as db:
        yield db


METRICS = {"synth-tpe": "val_accuracy", "synth-random": "val_loss", "hand": "loss"}


@pytest.mark.parametrize("eid", list(METRICS))
def test_associations_match_python(db, eid: str) -> None:
    sql = db.query("attribute_associations", experiment=eid)
    python = associations(load_trials(db, METRICS[eid], experiment=eid))
    assert list(sql["experiment_id"].unique()) == [eid]
    cols = ["attribute_a", "attribute_b", "measure", "n"]
    assert sql[cols].values.tolist() == python[cols].values.tolist()
    np.testing.assert_allclose(sql["value"].astype(float), python["value"], rtol=1e-9)
    assert (sql["above_threshold"] == (sql["value"].abs() >= 0.3)).all()


def test_associations_against_scipy(db) -> None:
    attrs = db.sql("SELECT * FROM trial_attributes WHERE experiment_id = 'hand'")
    sql = db.query("attribute_associations", experiment="hand", threshold=0.9)
    got = sql.set_index(["attribute_a", "attribute_b"])
    assert set(sql["measure"]) == {"spearman", "correlation_ratio", "cramers_v"}

    both = attrs.dropna(subset=["lr", "width"])
    rho = stats.spearmanr(both["lr"], both["width"]).statistic
    assert got.loc[("lr", "width"), "value"] == pytest.approx(rho, rel=1e-9)
    assert got.loc[("lr", "width"), "n"] == 39

    table = pd.crosstab(attrs["color"], attrs["shape"]).to_numpy()
    v = got.loc[("color", "shape")]
    assert v["value"] == pytest.approx(association(table, method="cramer"), rel=1e-9)
    assert v["value"] > 0.5 and not v["above_threshold"]  # threshold 0.9

    t = np.log10(attrs["lr"].astype(float))
    means = t.groupby(attrs["color"]).transform("mean")
    eta = math.sqrt(((means - t.mean()) ** 2).sum() / ((t - t.mean()) ** 2).sum())
    assert got.loc[("lr", "color"), "value"] == pytest.approx(eta, rel=1e-9)


def test_tpe_pair_is_above_threshold_and_random_is_not(db) -> None:
    sql = db.query("attribute_associations")
    top = sql[sql["above_threshold"]]
    pairs = set(zip(top["experiment_id"], top["attribute_a"], top["attribute_b"], strict=True))
    assert ("synth-tpe", NF1, LR) in pairs
    assert not any(e == "synth-random" for e, _, _ in pairs)


@pytest.mark.parametrize("eid", list(METRICS))
def test_failure_rates_match_python(db, eid: str) -> None:
    sql = db.query("failure_rates", metric=METRICS[eid], experiment=eid)
    python = failure_rates(load_trials(db, METRICS[eid], experiment=eid))
    cols = ["attribute", "level", "n", "n_left_out", "failed", "running", "null", "infinite",
            "unset"]
    assert sql[cols].values.tolist() == python[cols].values.tolist()
    np.testing.assert_allclose(sql["rate"], python["rate"])
    others = [c for c in python.columns[5:] if c not in cols]
    assert list(sql["other_status"]) == python[others].sum(axis=1).tolist()
    assert (sql["n_left_out"] == sql[cols[4:]].sum(axis=1) + sql["other_status"]).all()


def test_failure_rates_content(db) -> None:
    hand = db.query("failure_rates", metric="loss", experiment="hand").set_index(
        ["attribute", "level"])
    # lr has 3 distinct values (<= 4 bins): one level per value, in order
    assert list(hand.loc["lr"].index) == ["0.001", "0.01", "0.1"]
    assert list(hand.loc["color"].index) == list(COLORS)  # declared order
    nan = [i for i in range(40) if i % 9 == 4]
    inf = [i for i in range(40) if i % 11 == 5 and i % 9 != 4]
    assert hand.loc["color", "null"].sum() == len(nan)
    assert hand.loc["color", "infinite"].sum() == len(inf)
    assert hand.loc["color", "unset"].sum() == (7 not in nan + inf)  # t07 has no width
    assert hand.loc["width", "n"].sum() == 39
    # width: 4 quantile bins of the 39 values, labelled with numpy's edges
    widths = db.sql("SELECT width FROM trial_attributes WHERE experiment_id = 'hand' "
                    "AND width IS NOT NULL")["width"].to_numpy(dtype=float)
    edges = np.quantile(widths, [0, 0.25, 0.5, 0.75, 1])
    assert list(hand.loc["width"].index)[0] == f"[{edges[0]:.4g}, {edges[1]:.4g})"
    assert list(hand.loc["width"].index)[-1] == f"[{edges[3]:.4g}, {edges[4]:.4g}]"

    two = db.query("failure_rates", metric="val_accuracy", experiment="synth-tpe", bins=2)
    numerical = two[two["attribute"] != ACT]
    assert (numerical.groupby("attribute").size() == 2).all()
    set_nf1 = db.sql("SELECT count(\"model_config.num_filter1\") AS n FROM trial_attributes "
                     "WHERE experiment_id = 'synth-tpe'")["n"].iloc[0]
    assert numerical[numerical["attribute"] == NF1]["n"].sum() == set_nf1 < 120
