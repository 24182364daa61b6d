"""The views and macros of the SQL layer, checked against answers computed from the files
(read with json and yaml alone: support.py)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.store.views import column_kind, quote_identifier, quote_literal

from .conftest import EXPECTED
from .support import DB_STATUS, best, last, plain, read_rows, write_experiment

# --- results --------------------------------------------------------------------------------

def test_results_matches_what_ablator_read(data) -> None:
    """The tutorial's consolidated DataFrame (ABLATOR's own reader) and the results view agree
    on every column both have, for every (trial, step)."""
    db, _, _ = data
    expected_json = json.loads((EXPECTED / "tutorial-tpe.read_results.json").read_text())
    expected = pd.DataFrame(expected_json["data"], columns=expected_json["columns"],
                            index=pd.MultiIndex.from_tuples([tuple(i) for i in
                                                             expected_json["index"]]))
    got = db.sql("SELECT * FROM results WHERE experiment_id = 'tutorial-tpe' "
                 "ORDER BY trial_uid, step").set_index(["trial_uid", "step"])
    assert len(got) == len(expected) == 72
    assert list(got.index) == list(expected.index)
    shared = [c for c in expected.columns if c in got.columns and c != "experiment_id"]
    assert len(shared) >= 60
    for column in shared:
        want, have = expected[column].tolist(), got[column].tolist()
        if column == "timestamp":  # ABLATOR made it a datetime, written as epoch ms
            have = [int(h * 1000) for h in have]
        for w, h in zip(want, have, strict=True):
            if w is None:
                assert h is None or pd.isna(h), column
            elif isinstance(w, float):
                assert h == pytest.approx(w, rel=1e-12), column
            else:
                assert h == w, column
    # ABLATOR's experiment_id config key sits next to the database's experiment_id.
    assert set(got["config.experiment_id"]) == set(expected["experiment_id"])
    assert set(got["experiment_id"]) == {"tutorial-tpe"}
    # Every config key first, then every metric, in the order the files have them.
    columns = list(got.columns)
    assert columns.index("search_algo") < columns.index("val_loss") < columns.index("timestamp")


def test_results_column_types(data) -> None:
    db, _, _ = data
    types = dict(db.con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = 'results'").fetchall())
    assert types["model_config.num_filter1"] == "BIGINT"
    assert types["train_config.optimizer_config.arguments.lr"] == "DOUBLE"
    assert types["model_config.activation"] == "VARCHAR"
    assert types["amp"] == "BOOLEAN"
    assert types["train_config.optimizer_config.arguments.betas"] == "JSON"
    assert types["val_loss"] == "DOUBLE" and types["step"] == "INTEGER"


def test_results_against_the_files(data) -> None:
    """Every metric value of every step of the synthetic experiments, NaN as NULL."""
    db, folders, _ = data
    for eid in ("synth-random", "synth-tpe"):
        folder = folders[eid]
        got = db.sql("SELECT * FROM results WHERE experiment_id = $e", {"e": eid})
        long = got.melt(id_vars=["trial_uid", "step"], value_vars=sorted(
            set(folder.metrics.name)), var_name="name", value_name="value").dropna()
        want = folder.metrics.dropna()
        merged = want.merge(long, on=["trial_uid", "step", "name"], how="outer",
                            suffixes=("_file", "_db"), indicator=True)
        assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
        assert np.allclose(merged.value_file, merged.value_db, rtol=0, atol=0)
        lr = "train_config.optimizer_config.arguments.lr"
        by_trial = got.groupby("trial_uid")[lr].first()
        for uid, value in by_trial.items():
            assert plain(value) == folder.attribute(uid, lr)


def test_nasty_names_stay_names(tmp_path: Path) -> None:
    """Config keys and metric names full of quotes and SQL are column names, nothing more."""
    evil = 'x" FROM trials; DROP TABLE trials; --'
    master = {"optim_metrics": {"val'loss": "min"}, "search_space": {
        "a'b": {"categorical_values": ["p'q", 'r"s'], "value_range": None}}}
    config = {evil: 1, "a'b": "p'q", "Step": 7, "trial_uid": "mine", "VAL_LOSS": 2.5,
              "dup": 1, "DUP": "two", "$x": True, "semi;colon": [1, 2], "": "empty"}
    rows = [{"val'loss": 1.0, 'm"x': 2.0, "val_loss": 3.0}, {"val'loss": 0.5, 'm"x': 1.0,
                                                            "val_loss": 4.0}]
    folder = write_experiment(tmp_path / "evil", master, {"t1": (config, rows)})
    db = asql.connect()
    db.ingest(folder, workers=1)
    got = db.sql("SELECT * FROM results ORDER BY step")
    assert db.sql("SELECT count(*) AS n FROM trials").n[0] == 1  # nothing dropped
    assert got[evil].tolist() == [1, 1]
    assert got["a'b"].tolist() == ["p'q", "p'q"]
    assert got["val'loss"].tolist() == [1.0, 0.5]
    assert got['m"x'].tolist() == [2.0, 1.0]
    assert got["config.Step"].tolist() == [7, 7] and got["step"].tolist() == [0, 1]
    assert got["config.trial_uid"].tolist() == ["mine", "mine"]
    assert got["$x"].tolist() == [True, True]
    assert got["config."].tolist() == ["empty", "empty"]
    # DuckDB compares names case-insensitively: the later one gets a prefix
    assert got["dup"].tolist() == [1, 1] and got["config.DUP"].tolist() == ["two", "two"]
    assert got["VAL_LOSS"].tolist() == [2.5, 2.5]
    assert got["metric.val_loss"].tolist() == [3.0, 4.0]
    summary = db.sql("SELECT * FROM trial_summary")
    assert summary["a'b"].tolist() == ["p'q"] and summary["best_val'loss"].tolist() == [0.5]
    assert db.query("categorical_effects", metric="val'loss").level.tolist() == ["p'q"]


def test_non_numeric_results_become_json_columns(tmp_path: Path) -> None:
    rows = [{"loss": 1.0, "note": "warm-up", "hist": [1, 2]},
            {"loss": 0.5, "note": {"lr": 0.1}, "hist": [3]}]
    folder = write_experiment(tmp_path / "other", {"optim_metrics": {"loss": "min"}},
                              {"t1": ({"x": 1}, rows)})
    db = asql.connect()
    db.ingest(folder, workers=1)
    got = db.sql("SELECT step, loss, note, hist FROM results ORDER BY step")
    assert got.loss.tolist() == [1.0, 0.5]
    assert [json.loads(v) for v in got["note"]] == ["warm-up", {"lr": 0.1}]
    assert [json.loads(v) for v in got["hist"]] == [[1, 2], [3]]


def test_quoting_helpers() -> None:
    assert quote_identifier('a"b') == '"a""b"'
    assert quote_literal("it's") == "'it''s'"
    con = duckdb.connect()
    for text in ["plain", "it's", 'say "hi"', "a\\b", "x'; DROP TABLE t; --", "ünï", "\n\t"]:
        assert con.execute(f"SELECT {quote_literal(text)} AS {quote_identifier(text)}"
                           ).fetchall() == [(text,)]
        assert con.execute(f"SELECT 1 AS {quote_identifier(text)}").description[0][0] == text
    with pytest.raises(ValueError):
        quote_literal("nul\x00")
    assert column_kind(["int"]) == "bigint" and column_kind(["int"], 2.0**60) == "double"
    assert column_kind(["int", "float"]) == "double" and column_kind(None) == "json"
    assert column_kind(["str", "int"]) == "json" and column_kind(["bool"]) == "boolean"


# --- trial_best, trial_ranking --------------------------------------------------------------

NAN, INF = float("nan"), float("inf")
EDGE_CASES = {  # trial: (loss (min), acc (max)) per step; the expected trial_best rows follow
    "a": ([NAN, 3.0, 1.0, 1.0, INF], [0.1, 0.5, 0.5, INF, NAN]),
    "b": ([INF, INF], [-INF, -INF]),
    "c": ([NAN, NAN], [NAN, NAN]),
    "d": ([-INF, 5.0, INF, 5.0], [-INF, INF, 2.0, 2.0]),
    "e": ([INF, -INF], [-INF, INF]),
    "f": ([], []),
}
EXPECTED_BEST = {  # (best, best_step, last, last_step) for loss, then acc
    "a": ((1.0, 2, INF, 4), (0.5, 1, INF, 3)),
    "b": ((INF, 0, INF, 1), (-INF, 0, -INF, 1)),
    "c": ((None, None, None, None), (None, None, None, None)),
    "d": ((5.0, 1, 5.0, 3), (2.0, 2, 2.0, 3)),
    "e": ((-INF, 1, -INF, 1), (INF, 1, INF, 1)),
    "f": ((None, None, None, None), (None, None, None, None)),
}


@pytest.fixture
def edge_db(tmp_path: Path) -> asql.Database:
    master = {"optim_metrics": {"loss": "min", "acc": "max"}, "search_space": {
        "lr": {"value_range": ["0.1", "1"], "value_type": "float", "categorical_values": None}}}
    trials = {uid: ({"lr": 0.1 * (i + 1)},
                    [{"loss": lo, "acc": ac} for lo, ac in zip(*values, strict=True)])
              for i, (uid, values) in enumerate(EDGE_CASES.items())}
    db = asql.connect()
    db.ingest(write_experiment(tmp_path / "edge", master, trials), workers=1)
    return db


def test_trial_best_rules(edge_db) -> None:
    got = edge_db.sql("SELECT * FROM trial_best ORDER BY trial_uid, metric DESC")
    assert list(got.columns) == ["experiment_id", "trial_uid", "metric", "direction",
                                 "best_value", "best_step", "last_value", "last_step"]
    for row in got.itertuples():
        loss, acc = EXPECTED_BEST[row.trial_uid]
        want = loss if row.metric == "loss" else acc
        have = tuple(plain(v) for v in (row.best_value, row.best_step, row.last_value,
                                          row.last_step))
        assert have == want, (row.trial_uid, row.metric)
        assert row.direction == ("min" if row.metric == "loss" else "max")
    assert len(got) == 2 * len(EDGE_CASES)  # a trial without values still has its rows
    for name, values in EDGE_CASES.items():  # and the rule written out in Python agrees
        pairs = list(enumerate(values[0]))
        assert best(pairs, "min")[0] == EXPECTED_BEST[name][0][0]


def test_trial_ranking_rules(edge_db) -> None:
    got = edge_db.sql("SELECT * FROM trial_ranking WHERE metric = 'loss'").set_index(
        "trial_uid")
    # finite bests first (d=5 after a=1), then infinite ones by direction (e=-inf, b=inf)
    assert {k: plain(v) for k, v in got["rank"].items()} == {
        "a": 1, "d": 2, "e": 3, "b": 4, "c": None, "f": None}
    assert got.percentile["a"] == 100 and got.percentile["b"] == 0
    assert got.percentile["d"] == pytest.approx(100 * (1 - 1 / 3))
    assert pd.isna(got.percentile["c"])


def test_trial_best_and_ranking_on_synthetic_data(data) -> None:
    db, folders, _ = data
    for eid, folder in folders.items():
        for metric, direction in folder.directions.items():
            got = db.sql("SELECT * FROM trial_ranking r JOIN trial_best b USING "
                         "(experiment_id, trial_uid, metric) WHERE experiment_id = $e AND "
                         "metric = $m", {"e": eid, "m": metric}).set_index("trial_uid")
            assert set(got.index) == set(folder.trials)
            values = folder.values(metric)
            expected = {uid: best(values.get(uid, []), direction) for uid in folder.trials}
            for uid, (value, step) in expected.items():
                assert plain(got.best_value[uid]) == value, (eid, uid)
                assert plain(got.best_step[uid]) == step, (eid, uid)
                lv, ls = last(values.get(uid, []))
                assert plain(got.last_value[uid]) == lv and plain(got.last_step[uid]) == ls
            ranked = pd.Series({u: v for u, (v, _) in expected.items() if v is not None})
            key = ranked if direction == "min" else -ranked
            key = key.where(np.isfinite(key), np.sign(key) * 1e308)  # infinities last
            want = key.rank(method="min").astype(int)
            assert got["rank"].dropna().astype(int).sort_index().to_dict() == \
                want.sort_index().to_dict()


def test_trial_summary(data) -> None:
    db, folders, _ = data
    got = db.sql("SELECT * FROM trial_summary WHERE experiment_id = 'synth-random'"
                 ).set_index("trial_uid")
    folder = folders["synth-random"]
    attributes = list(folder.space)
    assert list(got.columns) == ["experiment_id", "status", "n_steps", *attributes,
                                 "best_val_loss", "best_val_accuracy"]
    for uid in folder.trials:
        for name in attributes:
            assert plain(got.at[uid, name]) == folder.attribute(uid, name), (uid, name)
        assert plain(got.at[uid, "best_val_accuracy"]) == best(
            folder.values("val_accuracy").get(uid, []), "max")[0]
        assert got.at[uid, "n_steps"] == len(read_rows(folder.path / uid / "results.json"))


def test_statuses_match_the_truth(data) -> None:
    """The queries' tests take statuses from the generator's truth: check they agree."""
    db, _, truths = data
    for eid, truth in truths.items():
        got = dict(db.con.execute("SELECT trial_uid, status FROM trials WHERE "
                                  "experiment_id = ?", [eid]).fetchall())
        assert got == {uid: DB_STATUS[s] for uid, s in truth.db_states.items()}
