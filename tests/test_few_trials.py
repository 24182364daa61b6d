"""The way of a small ingest (``ingest.few_trials``: trials parsed in the process, rows
inserted from lists) and the refresh of only what an ingest changed (``refresh_changed``): each
gives exactly what the worker pool and a whole refresh give."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

import ablation_sql as asql
from ablation_sql.ingest import few_trials, parse_trials, pipeline, read_again
from ablation_sql.store import views
from ablation_sql.synthetic import generate_experiment

from .support import copy_tree, snapshot

VIEWS = ("trial_best_cache", "results", "trial_attributes", "trial_summary", "trial_ranking")


def view_rows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[list, list]]:
    """Every generated or materialised view's columns and its rows, sorted."""
    out = {}
    for view in VIEWS:
        relation = con.sql(f"SELECT * FROM {view} ORDER BY ALL")
        out[view] = (relation.columns, relation.fetchall())
    return out


def trials_of(folder: Path) -> list[Path]:
    """The trial folders whose results.json is whole JSON."""
    found = []
    for trial in sorted(p for p in folder.iterdir() if (p / "results.json").is_file()):
        try:
            json.loads((trial / "results.json").read_text(encoding="utf-8"))
        except ValueError:
            continue
        found.append(trial)
    return found


def write_results(trial: Path, rows: list[dict]) -> None:
    (trial / "results.json").write_text(json.dumps(rows), encoding="utf-8")


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Trials running, failed, broken, with subspaces, and one trial whose results hold NaN,
    infinities, an integer beyond a double, text and nulls."""
    folder = tmp_path_factory.mktemp("few") / "e"
    generate_experiment(folder, trials=24, epochs=4, seed=5, running=1, broken=2, failed=2,
                        subspace=True)
    odd = trials_of(folder)[3]
    rows = json.loads((odd / "results.json").read_text(encoding="utf-8"))
    rows[0] |= {"val_loss": float("nan"), "train_loss": float("inf"), "note": "warm-up"}
    rows[1] |= {"val_loss": -float("inf"), "train_loss": 10**400, "note": None}
    write_results(odd, rows)
    return folder


def test_few_trials_load_what_the_pool_loads(experiment: Path, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """In this process from lists, on the pool staged in memory, on the pool staged as Parquet:
    the same rows."""
    found = {}
    for few, arrow in ((1000, 0), (0, 1000), (0, 0)):
        monkeypatch.setattr(pipeline, "FEW_TRIALS", few)
        monkeypatch.setattr(pipeline, "ARROW_TRIALS", arrow)
        with asql.connect(tmp_path / f"{few}-{arrow}.duckdb") as db:
            db.sql("CREATE VIEW staged AS SELECT 42 AS answer")  # a user's, of the same name
            report = db.ingest(experiment, workers=2)
            found[few, arrow] = snapshot(db.con, volatile=False), view_rows(db.con)
            assert db.sql("SELECT * FROM staged").to_dict("list") == {"answer": [42]}
            assert not db.sql("SELECT * FROM duckdb_tables() WHERE temporary").shape[0]
        assert report.trials_read == 24
    assert found[1000, 0] == found[0, 1000] == found[0, 0]
    tables = found[0, 0][0]
    assert any(v is None for *_, v in tables["metrics"])  # NaN stored as NULL
    assert {v for *_, v in tables["metrics"]} >= {float("inf"), -float("inf")}
    assert tables["metrics_other"]


def _change_values(folder: Path) -> None:
    trial = trials_of(folder)[0]
    rows = json.loads((trial / "results.json").read_text(encoding="utf-8"))
    for row in rows:
        row["val_loss"], row["val_accuracy"] = row["val_loss"] / 10, 0.999
    write_results(trial, rows)


def _cut_short(folder: Path) -> None:
    trial = trials_of(folder)[1]
    text = (trial / "results.json").read_text(encoding="utf-8")
    (trial / "results.json").write_text(text[: len(text) // 2], encoding="utf-8")


def _remove(folder: Path) -> None:
    shutil.rmtree(trials_of(folder)[2])


def _new_metric_and_kind(folder: Path) -> None:
    """A metric no other trial has, and a config value of another type: other view columns."""
    trial = trials_of(folder)[4]
    rows = json.loads((trial / "results.json").read_text(encoding="utf-8"))
    write_results(trial, [row | {"grad_norm": 1.5} for row in rows])
    config = trial / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "extra_setting: high\n",
                      encoding="utf-8")


def _flip_direction(folder: Path) -> None:
    master = folder / "master_config.yaml"
    text = master.read_text(encoding="utf-8")
    assert "val_loss: min" in text
    master.write_text(text.replace("val_loss: min", "val_loss: max"), encoding="utf-8")


CHANGES: dict[str, Callable[[Path], None]] = {
    "values": _change_values, "cut short": _cut_short, "removed": _remove,
    "new columns": _new_metric_and_kind, "direction": _flip_direction,
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_refreshing_what_changed_equals_a_whole_refresh(
        change: str, experiment: Path, synthetic, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = copy_tree(experiment, tmp_path / "e")
    other, _ = synthetic("few-other", trials=6, epochs=3, seed=2)
    with asql.connect(tmp_path / "x.duckdb") as db:
        db.ingest(folder, other)
        CHANGES[change](folder)
        whole: list[bool] = []
        refresh_views = views.refresh_views
        monkeypatch.setattr(views, "refresh_views",
                            lambda *a, **k: whole.append(True) or refresh_views(*a, **k))
        report = db.ingest(folder, other)
        assert not whole  # only what changed was refreshed
        assert report.trials_read <= 1 and report.trials_unchanged >= 22
        incremental = view_rows(db.con)
        refresh_views(db.con)
        assert view_rows(db.con) == incremental


def test_directions_given_refresh_their_experiment(experiment: Path, tmp_path: Path) -> None:
    with asql.connect(tmp_path / "x.duckdb") as db:
        db.ingest(experiment)
        before = view_rows(db.con)
        db.ingest(experiment, directions={"val_accuracy": "min"})
        given = view_rows(db.con)
        assert given["trial_best_cache"] != before["trial_best_cache"]
        views.refresh_views(db.con)
        assert view_rows(db.con) == given


@pytest.mark.parametrize("compared", [16, 0])
def test_trials_read_again_keep_their_rows_and_equal_a_fresh_ingest(
        compared: int, experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trials read again in the process are updated in place (their rows keep their place,
    so the checkpoint need not rewrite the table's JSON columns) and end as a fresh ingest
    leaves them: a config changed, a metadata changed and its results cut short, a trial back
    after it was missing, a new trial; their other rows compared with what they were, or (more
    than DIFF_TRIALS read) all replaced."""
    monkeypatch.setattr(few_trials, "DIFF_TRIALS", compared)
    folder = copy_tree(experiment, tmp_path / "e")
    first, second, third, fourth = trials_of(folder)[:4]
    aside = copy_tree(fourth, tmp_path / "aside")
    shutil.rmtree(fourth)
    with asql.connect(tmp_path / "x.duckdb") as db:
        db.ingest(folder)
        assert db.ingest(folder).trials_read == 0  # the removed one is marked missing
        rowids = dict(db.con.execute("SELECT trial_uid, rowid FROM trials").fetchall())
        config, verbose = first / "config.yaml", "verbose: console"
        assert verbose in config.read_text(encoding="utf-8")
        config.write_text(config.read_text(encoding="utf-8").replace(verbose, "verbose: tqdm"),
                          encoding="utf-8")
        (second / "metadata.json").write_text('{"changed": [1, 2]}', encoding="utf-8")
        _cut_short(folder)  # the second's
        copy_tree(aside, fourth)
        copy_tree(third, folder / "zz_new_trial")
        report = db.ingest(folder)
        assert report.trials_read == 4
        kept = dict(db.con.execute("SELECT trial_uid, rowid FROM trials").fetchall())
        assert {uid: kept[uid] for uid in rowids} == rowids and "zz_new_trial" in kept
        assert db.con.execute("SELECT status FROM trials WHERE trial_uid = ?",
                              [fourth.name]).fetchall() != [("missing",)]
        incremental = snapshot(db.con, volatile=False), view_rows(db.con)
    with asql.connect(tmp_path / "fresh.duckdb") as fresh:
        fresh.ingest(folder)
        assert (snapshot(fresh.con, volatile=False), view_rows(fresh.con)) == incremental


def test_trials_read_again_unchanged_keep_their_rows_and_views(
        experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trial whose files were touched but hold the same keeps its params, metrics and
    metrics_other rows in place, and neither the generated views' columns nor its
    trial_best_cache rows are computed again; a value that changes only its sign of zero is a
    change, whose rows then equal a fresh ingest's."""
    folder = copy_tree(experiment, tmp_path / "e")
    first, second = trials_of(folder)[:2]
    with asql.connect(tmp_path / "x.duckdb") as db:
        db.ingest(folder)

        def rowids() -> list[tuple]:
            return db.con.execute(
                "SELECT 'p', rowid FROM params UNION ALL SELECT 'm', rowid FROM metrics "
                "UNION ALL SELECT 'o', rowid FROM metrics_other ORDER BY ALL").fetchall()

        before, views_before = rowids(), view_rows(db.con)
        ran: list[str] = []
        execute = views.execute
        monkeypatch.setattr(views, "execute",
                            lambda con, name, **p: ran.append(str(name)) or execute(con, name, **p))
        for name in ("config.yaml", "results.json", "metadata.json"):
            (first / name).write_bytes((first / name).read_bytes())
        assert db.ingest(folder).trials_read == 1
        assert rowids() == before and view_rows(db.con) == views_before
        assert not [name for name in ran if "columns_" in name or "trial_best" in name]

        rows = json.loads((second / "results.json").read_text(encoding="utf-8"))
        rows[0]["val_loss"] = 0.0
        write_results(second, rows)
        db.ingest(folder)
        rows[0]["val_loss"] = -0.0
        write_results(second, rows)
        assert db.ingest(folder).trials_read == 1
        ((value,),) = db.con.execute(
            "SELECT value FROM metrics WHERE trial_uid = ? AND step = 0 AND name = 'val_loss'",
            [second.name]).fetchall()
        assert str(value) == "-0.0"
        assert ran and any("trial_best_update" in name for name in ran)
        incremental = snapshot(db.con, volatile=False), view_rows(db.con)
    with asql.connect(tmp_path / "fresh.duckdb") as fresh:
        fresh.ingest(folder)
        assert (snapshot(fresh.con, volatile=False), view_rows(fresh.con)) == incremental


def test_a_trial_read_again_updates_only_the_columns_that_changed(
        experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Of a trial's row read again, only the columns whose value changed are set (and
    ingested_at), in one statement: a touched file, its fingerprint alone; a new metadata.json,
    its metadata too; its problems are neither deleted nor inserted when it has none."""
    folder = copy_tree(experiment, tmp_path / "e")
    updated: list[list[str]] = []
    fill = read_again.fill
    monkeypatch.setattr(read_again, "fill", lambda name, **parts: updated.append(
        re.findall(r'"(\w+)" = ', parts["assignments"])) or fill(name, **parts))
    with asql.connect(tmp_path / "x.duckdb") as db:
        db.ingest(folder)
        clean = {uid for (uid,) in db.con.execute(
            "SELECT trial_uid FROM trials EXCEPT SELECT trial_uid FROM ingest_errors").fetchall()}
        trial = next(t for t in trials_of(folder) if t.name in clean)
        ran: list[str] = []
        execute = few_trials.execute
        monkeypatch.setattr(few_trials, "execute",
                            lambda con, name, **p: ran.append(str(name)) or execute(con, name, **p))
        before = db.con.execute("SELECT * EXCLUDE (fingerprint, ingested_at) FROM trials "
                                "ORDER BY trial_uid").fetchall()
        os.utime(trial / "results.json")
        assert db.ingest(folder).trials_read == 1
        assert updated == [["fingerprint"]]
        assert all("trial_rows" in name for name in ran)  # the rows compared, none written
        assert db.con.execute("SELECT * EXCLUDE (fingerprint, ingested_at) FROM trials "
                              "ORDER BY trial_uid").fetchall() == before
        (trial / "metadata.json").write_text('{"changed": true}', encoding="utf-8")
        updated.clear()
        assert db.ingest(folder).trials_read == 1
        assert updated == [["metadata", "fingerprint"]]
        incremental = snapshot(db.con, volatile=False), view_rows(db.con)
    with asql.connect(tmp_path / "fresh.duckdb") as fresh:
        fresh.ingest(folder)
        assert (snapshot(fresh.con, volatile=False), view_rows(fresh.con)) == incremental


@pytest.mark.parametrize("compared", [16, 0])
def test_trials_read_again_with_their_config_unchanged_keep_it_unread(
        compared: int, experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A trial read again whose config.yaml has the size and mtime it had keeps its stored
    config, its params rows (in place) and its config.yaml's problems without the file being
    read again; its status stays the state db's; every row equals a fresh ingest's. After the
    master config changed, the configs are read again."""
    monkeypatch.setattr(few_trials, "DIFF_TRIALS", compared)
    folder = copy_tree(experiment, tmp_path / "e")
    first, second = trials_of(folder)[:2]
    config = first / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").rstrip("\n") + "\nhuge: " + "9" * 5000
                      + "\n", encoding="utf-8")
    read: list[Path] = []
    read_config = parse_trials._read_config
    monkeypatch.setattr(parse_trials, "_read_config",
                        lambda path, *args: read.append(path) or read_config(path, *args))
    with asql.connect(tmp_path / "x.duckdb") as db:
        db.ingest(folder)

        def kept() -> tuple[list, list, list]:
            return (db.con.execute("SELECT rowid FROM params ORDER BY ALL").fetchall(),
                    db.con.execute("SELECT trial_uid, path, error FROM ingest_errors "
                                   "ORDER BY ALL").fetchall(),
                    db.con.execute("SELECT trial_uid, status, status_source, state_code "
                                   "FROM trials ORDER BY ALL").fetchall())

        before = kept()
        assert (first.name, str(config)) in {row[:2] for row in before[1]}  # the huge integer
        assert {source for *_, source, _ in before[2]} == {"state_db"}
        read.clear()
        _change_values(folder)  # the first's results
        (second / "results.json").write_text(
            (second / "results.json").read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert db.ingest(folder).trials_read == 2
        assert not read
        assert kept() == before  # the statuses too: every trial's is the state db's
        assert db.con.execute("SELECT config FROM trials WHERE trial_uid = ?",
                              [first.name]).fetchone()[0].count("9" * 5000) == 1
        with asql.connect(tmp_path / "fresh.duckdb") as fresh:
            fresh.ingest(folder)
            assert ((snapshot(fresh.con, volatile=False), view_rows(fresh.con))
                    == (snapshot(db.con, volatile=False), view_rows(db.con)))
        read.clear()
        (folder / "master_config.yaml").touch()
        (second / "results.json").touch()
        assert db.ingest(folder).trials_read == 1
        assert read == [second / "config.yaml"]
