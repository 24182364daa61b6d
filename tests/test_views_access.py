"""The views from outside: refreshed by each ingest, read from another process, through
SQLAlchemy and jupysql, and as DataFrames equal to DuckDB's own."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.store.views import refresh_views

from .support import write_experiment

# --- refresh, other processes, SQLAlchemy ---------------------------------------------------

def test_views_follow_each_ingest(tmp_path: Path, db_path: Path) -> None:
    master = {"optim_metrics": {"loss": "min"}}
    first = write_experiment(tmp_path / "one", master, {"t1": ({"x": 1}, [{"loss": 1.0}])})
    second = write_experiment(tmp_path / "two", master | {"optim_metrics": {"acc": "max"}},
                              {"t2": ({"y": "new"}, [{"acc": 0.5, "extra": 2}])})
    with asql.connect(db_path) as db:
        db.ingest(first, workers=1)
        assert "y" not in db.sql("SELECT * FROM results").columns
        db.ingest(second, workers=1)
        got = db.sql("SELECT * FROM results ORDER BY experiment_id")
        assert got.y.tolist()[1] == "new" and got.extra.tolist()[1] == 2.0
        assert set(db.sql("SELECT * FROM trial_summary").columns) >= {"best_loss", "best_acc"}
        assert not refresh_views(db.con, if_outdated=True)  # nothing to do
        db.con.execute("DELETE FROM schema_info WHERE key = 'views_version'")
        assert refresh_views(db.con, if_outdated=True)
        db.con.execute("DROP VIEW results")
        db.close()
    with asql.connect(db_path) as db:  # opening read-write rebuilds it
        assert len(db.sql("SELECT * FROM results")) == 2


def test_database_opens_in_another_process_and_in_sqlalchemy(data) -> None:
    db, _, _ = data
    path = db.path
    script = textwrap.dedent(f"""
        import duckdb
        con = duckdb.connect({str(path)!r}, read_only=True)
        print(con.execute("SELECT count(*) FROM results").fetchall()[0][0])
        print(con.execute("SELECT count(*) FROM trial_metric('val_loss', reduction := 'last')"
                          ).fetchall()[0][0])
        print(con.execute("SELECT count(*) FROM trial_ranking WHERE rank = 1").fetchall()[0][0])
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) == db.sql("SELECT count(*) AS n FROM results").n[0]
    assert int(out[1]) == db.sql("SELECT count(*) AS n FROM trials").n[0]
    assert int(out[2]) >= 3
    from sqlalchemy import text
    frame = pd.read_sql(text("SELECT * FROM trial_best WHERE metric = :m ORDER BY trial_uid"),
                        db.engine, params={"m": "val_loss"})
    assert frame.trial_uid.tolist() == db.sql(
        "SELECT trial_uid FROM trial_best WHERE metric = 'val_loss' ORDER BY trial_uid"
    ).trial_uid.tolist()


def test_jupysql_magic_on_the_engine(data) -> None:
    pytest.importorskip("sql.magic")
    globalipapp = pytest.importorskip("IPython.testing.globalipapp")
    db, _, _ = data
    ip = globalipapp.start_ipython()
    ip.run_line_magic("load_ext", "sql")
    ip.user_ns["ablation_engine"] = db.engine
    ip.run_line_magic("sql", "ablation_engine")
    try:
        result = ip.run_line_magic(
            "sql", "SELECT trial_uid, rank FROM trial_ranking WHERE metric = 'val_loss' "
            "AND experiment_id = 'tutorial-tpe' ORDER BY rank, trial_uid LIMIT 3")
        frame = result.DataFrame()
    finally:  # before the database closes, or jupysql complains at exit
        from sql.connection import ConnectionManager

        ConnectionManager.close_all()
    assert frame.trial_uid.tolist() == db.sql(
        "SELECT trial_uid FROM trial_ranking WHERE metric = 'val_loss' AND experiment_id = "
        "'tutorial-tpe' ORDER BY rank, trial_uid LIMIT 3").trial_uid.tolist()


def test_frames_match_duckdb_df(data) -> None:
    """db.sql takes the Arrow path: same values and dtypes as DuckDB's own .df()."""
    db, _, _ = data
    for sql in ["SELECT * FROM results WHERE experiment_id = 'synth-random' ORDER BY ALL",
                "SELECT * FROM trials ORDER BY ALL", "SELECT * FROM trial_summary ORDER BY ALL",
                "SELECT * FROM results WHERE false", "SELECT 1 AS a, 2 AS A",
                "SELECT [1, 2] AS l, {'a': 1} AS s, 1.5::DECIMAL(4, 2) AS d",
                "SELECT DATE '2024-01-02' AS d, NULL::BIGINT AS n, NULL::BOOLEAN AS b"]:
        pd.testing.assert_frame_equal(db.sql(sql), db.con.execute(sql).df())
