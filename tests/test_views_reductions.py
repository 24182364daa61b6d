"""The reduction macro trial_metric (every reduction against the files, the live query against
its cache, its errors) and the t quantiles behind the intervals."""

from __future__ import annotations

import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.errors import AblationSQLError

from .support import plain, reduce_trial

# --- the reduction macro --------------------------------------------------------------------

@pytest.mark.parametrize("reduction, options", [
    ("best", {}), ("last", {}), ("mean_last", {"k": 3}), ("at_step", {"at_step": 2}),
    ("at_best", {"by_metric": "val_loss"}),
])
def test_trial_metric_reductions(data, reduction: str, options: dict) -> None:
    db, folders, _ = data
    args = "".join(f", {name} := ${name}" for name in options)
    for eid in ("synth-random", "synth-tpe"):
        got = db.sql(f"SELECT * FROM trial_metric($metric, reduction := $reduction{args}, "
                     "experiment := $e)",
                     {"metric": "val_accuracy", "reduction": reduction, "e": eid, **options})
        assert list(got.columns) == ["experiment_id", "trial_uid", "metric", "direction",
                                     "value", "step"]
        folder = folders[eid]
        mine = got.set_index("trial_uid")
        assert set(mine.index) == set(folder.trials)
        for uid in folder.trials:
            want = reduce_trial(folder, uid, "val_accuracy", reduction, **options)
            have = plain(mine.value[uid])
            assert (have is None) == (want is None), (eid, uid)
            if want is not None:
                assert have == pytest.approx(want, rel=1e-12), (eid, uid)


def test_trial_metric_live_matches_the_cache(data) -> None:
    """A direction given explicitly forces the computation from metrics: same answer."""
    db, _, _ = data
    cached = db.sql("SELECT * FROM trial_metric('val_loss') ORDER BY ALL")
    live = db.sql("SELECT * FROM trial_metric('val_loss', direction := 'MIN') ORDER BY ALL")
    pd.testing.assert_frame_equal(cached, live)
    flipped = db.sql("SELECT experiment_id, trial_uid, value FROM trial_metric("
                     "'val_loss', direction := 'max') WHERE value IS NOT NULL")
    maxima = db.sql("SELECT experiment_id, trial_uid, max(value) AS value FROM metrics "
                    "WHERE name = 'val_loss' AND isfinite(value) GROUP BY ALL")
    merged = flipped.merge(maxima, on=["experiment_id", "trial_uid"])
    assert len(merged) > 100 and (merged.value_x == merged.value_y).all()


def test_trial_metric_of_one_experiment_is_its_part_of_all(data) -> None:
    """With an experiment given (its rows of the metric found by their first row alone), each
    reduction gives that experiment's rows of the answer for every experiment; an experiment
    without the metric, or unknown, gives none."""
    db, _, _ = data
    names = db.sql("SELECT DISTINCT name FROM metrics ORDER BY name").name.tolist()
    experiments = db.sql("SELECT experiment_id FROM experiments").experiment_id.tolist()
    for metric in [names[0], "val_loss", "val_accuracy", names[-1]]:
        for reduction in ("best", "last", "mean_last"):
            query = ("SELECT * FROM trial_metric($m, reduction := $r, k := 3, direction := 'min', "
                     "experiment := $e) ORDER BY experiment_id, trial_uid")
            every = db.sql(query, {"m": metric, "r": reduction, "e": None})
            assert len(every) > 0
            for eid in [*experiments, "no-such-experiment"]:
                one = db.sql(query, {"m": metric, "r": reduction, "e": eid})
                want = every[every.experiment_id == eid].reset_index(drop=True)
                pd.testing.assert_frame_equal(one, want, check_dtype=False)


@pytest.mark.parametrize("sql, message", [
    ("SELECT * FROM trial_metric('val_accuracy')", "has no direction in experiment"),
    ("SELECT * FROM trial_metric('val_loss', reduction := 'median')", "unknown reduction"),
    ("SELECT * FROM trial_metric('nope')", "no metric nope"),
    ("SELECT * FROM trial_metric('val_loss', direction := 'up')", "must be min or max"),
    ("SELECT * FROM trial_metric('val_loss', reduction := 'mean_last', k := 0)", "k >= 1"),
    ("SELECT * FROM trial_metric('val_loss', reduction := 'at_step')", "at_step >= 0"),
    ("SELECT * FROM trial_metric('val_loss', reduction := 'at_best')", "needs by_metric"),
])
def test_trial_metric_errors(data, sql: str, message: str) -> None:
    db, _, _ = data
    with pytest.raises(AblationSQLError, match=message):
        db.sql(sql)


def test_t_quantiles_match_scipy() -> None:
    stats = pytest.importorskip("scipy.stats")
    db = asql.connect()
    got = db.con.execute("SELECT df, t_quantile_975(df) FROM range(1, 400) r(df)").fetchall()
    for df, value in got:
        assert value == pytest.approx(stats.t.ppf(0.975, df), rel=2e-8)
    got = db.con.execute("SELECT t_quantile_975(d) FROM (VALUES (10000), (1000000)) v(d)")
    for (value,), df in zip(got.fetchall(), (10000, 1000000), strict=True):
        assert value == pytest.approx(stats.t.ppf(0.975, df), rel=1e-10)
