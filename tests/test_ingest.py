"""Ingest behaviour: bad input, idempotence, incremental updates, Dask clusters, atomicity."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.synthetic import generate_experiment

from .support import snapshot

DB_STATUS = {"COMPLETE": "complete", "RUNNING": "running", "FAIL": "failed"}


@pytest.fixture
def messy(tmp_path: Path):
    """A synthetic experiment with running, failed and broken trials."""
    truth = generate_experiment(tmp_path / "messy", trials=40, epochs=6, seed=3, running=3,
                                failed=3, broken=6)
    return tmp_path / "messy", truth


def test_bad_input_is_recorded_and_the_rest_ingested(messy) -> None:
    folder, truth = messy
    db = asql.connect()
    report = db.ingest(folder, workers=1)
    statuses = dict(db.con.execute("SELECT trial_uid, status FROM trials").fetchall())
    assert statuses == {uid: DB_STATUS[state] for uid, state in truth.db_states.items()}

    errors = db.sql("SELECT trial_uid, path, error FROM ingest_errors")
    by_trial = {uid: list(group.error) for uid, group in errors.groupby("trial_uid")}
    for uid, kind in truth.statuses.items():
        reasons = " ".join(by_trial.get(uid, []))
        expected = {
            "complete": "", "failed": "", "empty_list_results": "",
            "running": "ends mid-write", "garbage_results": "results.json",
            "empty_results": "results.json is empty", "non_utf8_config": "not UTF-8",
            "missing_config": "config.yaml is missing",
            "non_mapping_config": "does not hold a mapping",
        }[kind]
        assert (expected in reasons) if expected else reasons == "", (uid, kind, reasons)
    assert len(report.skipped) == len(errors)

    # Running trials keep their complete rows; every complete trial has all its epochs.
    steps = dict(db.con.execute("SELECT trial_uid, n_steps FROM trials").fetchall())
    for uid, kind in truth.statuses.items():
        if kind == "complete":
            assert steps[uid] == truth.epochs
        if kind == "running":
            assert 0 < steps[uid] < truth.epochs


def test_without_state_db_status_is_inferred(tmp_path: Path) -> None:
    truth = generate_experiment(tmp_path / "e", trials=20, epochs=4, running=2, failed=2,
                                broken=6, state_db=False)
    db = asql.connect()
    db.ingest(tmp_path / "e", workers=1)
    got = dict(db.con.execute("SELECT trial_uid, status FROM trials").fetchall())
    inferred = {"complete": "complete", "running": "running", "failed": "unknown",
                "garbage_results": "unknown", "empty_results": "unknown",
                "empty_list_results": "waiting", "non_utf8_config": "complete",
                "missing_config": "complete", "non_mapping_config": "complete"}
    assert got == {uid: inferred[kind] for uid, kind in truth.statuses.items()}
    assert set(db.sql("SELECT status_source FROM trials").status_source) == {"inferred"}


def test_reingest_is_idempotent_and_reads_nothing(messy, tmp_path: Path) -> None:
    folder, _ = messy
    with asql.connect(tmp_path / "a.duckdb") as db:
        first = db.ingest(folder)
        before = snapshot(db.con)
        again = db.ingest(folder)
        assert snapshot(db.con) == before
    assert again.trials_read == 0 and again.trials_unchanged == first.trials_read == 40
    assert again.trials_by_status == first.trials_by_status


def test_reingest_after_reopening_again_and_again(tmp_path: Path) -> None:
    """Each ingest adds a row to ``ingests``; DuckDB then frees a block at the end of the file
    and cuts it off, so the file may hold fewer blocks than it counts: a whole file all the
    same, which every later ingest opens."""
    generate_experiment(tmp_path / "e", trials=60, epochs=3, seed=1)
    sizes = set()
    for _ in range(4):
        with asql.connect(tmp_path / "x.duckdb") as db:
            report = db.ingest(tmp_path / "e", workers=1)
        sizes.add((tmp_path / "x.duckdb").stat().st_size)
    assert report.trials_unchanged == 60 and len(sizes) > 1


def test_changed_new_and_vanished_trials(messy, tmp_path: Path) -> None:
    folder, truth = messy
    complete = [uid for uid, kind in truth.statuses.items() if kind == "complete"]
    db = asql.connect()
    db.ingest(folder, workers=1)

    changed, gone = complete[0], complete[1]
    results = folder / changed / "results.json"
    rows = json.loads(results.read_text())
    results.write_text(json.dumps(rows + [rows[-1]], indent=0))
    shutil.copytree(folder / complete[2], folder / "ffff_0000_aaaa")
    shutil.rmtree(folder / gone)

    report = db.ingest(folder, workers=1)
    assert (report.trials_read, report.trials_missing) == (2, 1)
    assert report.trials_unchanged == 40 - 2
    n_steps = dict(db.con.execute("SELECT trial_uid, n_steps FROM trials").fetchall())
    assert n_steps[changed] == truth.epochs + 1 and n_steps["ffff_0000_aaaa"] == truth.epochs
    assert db.con.execute("SELECT status FROM trials WHERE trial_uid = ?",
                          [gone]).fetchone() == ("missing",)
    kept = db.con.execute("SELECT count(*) FROM metrics WHERE trial_uid = ?", [gone]).fetchone()
    assert kept[0] > 0
    max_step = db.con.execute("SELECT max(step) FROM metrics WHERE trial_uid = ?",
                              [changed]).fetchone()[0]
    assert max_step == truth.epochs

    full = db.ingest(folder, workers=1, full=True)
    assert full.trials_read == 40 and full.trials_unchanged == 0


def test_an_incremental_ingest_equals_a_fresh_one(messy) -> None:
    """Trials read again take their status from the unchanged state db, as in a fresh ingest
    (only their status rows are updated)."""
    folder, truth = messy
    db = asql.connect()
    db.ingest(folder, workers=1)
    by_kind = {kind: uid for uid, kind in truth.statuses.items()}
    for kind in ("complete", "running", "failed"):  # results rewritten: read again
        results = folder / by_kind[kind] / "results.json"
        results.write_text(results.read_text() + "\n")
    shutil.copytree(folder / by_kind["running"], folder / "ffff_0000_aaaa")  # a known config
    report = db.ingest(folder, workers=1)
    assert report.trials_read == 4
    fresh = asql.connect()
    fresh.ingest(folder, workers=1)
    assert snapshot(db.con, volatile=False) == snapshot(fresh.con, volatile=False)
    statuses = dict(db.con.execute("SELECT trial_uid, status FROM trials").fetchall())
    assert statuses["ffff_0000_aaaa"] == statuses[by_kind["running"]] == "running"


def test_state_db_change_alone_updates_status(messy) -> None:
    folder, truth = messy
    running = next(uid for uid, kind in truth.statuses.items() if kind == "running")
    db = asql.connect()
    db.ingest(folder, workers=1)
    (state_db,) = folder.glob("*_state.db")
    with closing(sqlite3.connect(state_db)) as con, con:
        blob = con.execute("SELECT state FROM trial WHERE config_uid = ?",
                           [running[:9]]).fetchone()[0]
        con.execute("UPDATE trial SET state = ? WHERE config_uid = ?",
                    [blob[:-6] + b"\x03" + blob[-5:], running[:9]])
    report = db.ingest(folder, workers=1)
    assert report.trials_read == 0
    assert db.con.execute("SELECT status, state_code FROM trials WHERE trial_uid = ?",
                          [running]).fetchone() == ("failed", 3)


@pytest.mark.slow
def test_local_processes_and_distributed_cluster_agree(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    generate_experiment(tmp_path / "e", trials=120, epochs=5, seed=5, running=2, broken=3)
    local = asql.connect()
    local.ingest(tmp_path / "e", workers=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            remote = asql.connect()
            remote.ingest(tmp_path / "e", scheduler=client)
        by_address = asql.connect()
        by_address.ingest(tmp_path / "e", scheduler=cluster.scheduler_address)
    expected = snapshot(local.con, volatile=False)
    assert snapshot(remote.con, volatile=False) == expected
    assert snapshot(by_address.con, volatile=False) == expected
    single = asql.connect()
    single.ingest(tmp_path / "e", workers=1)
    assert snapshot(single.con, volatile=False) == expected


def test_several_experiments_and_unique_ids(tmp_path: Path, real_experiment: Path) -> None:
    generate_experiment(tmp_path / "group" / "a" / "exp", trials=5, epochs=2, seed=1)
    generate_experiment(tmp_path / "group" / "b" / "exp", trials=5, epochs=2, seed=2)
    db = asql.connect()
    report = db.ingest(tmp_path / "group", real_experiment, tmp_path / "does-not-exist")
    assert sorted(e.experiment_id for e in report.experiments) == ["exp", "exp-2",
                                                                   "tutorial-tpe"]
    assert any("does not exist" in reason for _, reason in report.skipped)
    again = db.ingest(tmp_path / "group" / "b" / "exp")
    assert again.trials_read == 0 and len(again.experiments) == 1


def test_nothing_to_ingest_raises(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(asql.NothingToIngestError, match="no ABLATOR experiment"):
        asql.connect().ingest(tmp_path / "empty")


def test_hostile_config_keys_are_data(tmp_path: Path) -> None:
    generate_experiment(tmp_path / "e", trials=3, epochs=2, seed=0)
    trial = next(p for p in (tmp_path / "e").iterdir() if p.is_dir())
    key = "x'); DROP TABLE trials; --"
    with open(trial / "config.yaml", "a", encoding="utf-8") as handle:
        handle.write(f'"{key}": "1\'; DELETE FROM metrics; --"\n')
    db = asql.connect()
    db.ingest(tmp_path / "e", workers=1)
    assert db.sql("SELECT count(*) AS n FROM trials").n[0] == 3
    row = db.sql("SELECT value_text FROM params WHERE name = $k", {"k": key})
    assert row.value_text.tolist() == ["1'; DELETE FROM metrics; --"]


def test_non_numeric_metrics_are_kept(tmp_path: Path, real_experiment: Path) -> None:
    trial = next(p for p in real_experiment.iterdir() if p.is_dir())
    (trial / "results.json").write_text(
        '[{"loss": NaN, "best": Infinity, "tag": "warmup", "flag": true, "hist": [1, 2]}]')
    db = asql.connect()
    db.ingest(real_experiment, workers=1)
    numeric = dict(db.con.execute("SELECT name, value FROM metrics WHERE trial_uid = ?",
                                  [trial.name]).fetchall())
    assert numeric == {"loss": None, "best": float("inf")}
    other = dict(db.con.execute("SELECT name, value FROM metrics_other WHERE trial_uid = ?",
                                [trial.name]).fetchall())
    assert other == {"tag": '"warmup"', "flag": "true", "hist": "[1,2]"}


def test_missing_master_config_falls_back_to_a_trial_config(real_experiment: Path) -> None:
    (real_experiment / "master_config.yaml").unlink()
    db = asql.connect()
    report = db.ingest(real_experiment, workers=1)
    assert report.trials == 24
    assert any("master_config.yaml is missing" in reason for _, reason in report.skipped)
    source = db.sql("SELECT config_source, search_algo FROM experiments").iloc[0]
    assert source.config_source.endswith("/config.yaml") and source.search_algo == "tpe"
    assert len(db.sql("SELECT * FROM search_space")) == 4


def test_sql_engine_and_read_only(tmp_path: Path, real_experiment: Path) -> None:
    path = tmp_path / "r.duckdb"
    with asql.connect(path) as db:
        db.ingest(real_experiment, workers=1)
        from sqlalchemy import text

        frame = pd.read_sql(text("SELECT count(*) AS n FROM trials"), db.engine)
        assert frame.n[0] == 24
        assert db.sql("SELECT $1 + 1 AS x", [1]).x[0] == 2
        with pytest.raises(asql.AblationSQLError, match="nope"):
            db.sql("SELECT * FROM nope")
    with asql.connect(path, read_only=True) as ro:
        assert ro.sql("SELECT count(*) AS n FROM metrics").n[0] == 864
        with pytest.raises(asql.InputError, match="read-only"):
            ro.ingest(real_experiment)


def test_checkpoints_and_tensorboard_are_never_opened(tmp_path: Path) -> None:
    generate_experiment(tmp_path / "e", trials=4, epochs=2, seed=0)
    for path in (tmp_path / "e").rglob("*"):
        if path.suffix == ".pt" or "tfevents" in path.name:
            path.unlink()
            os.mkfifo(path)  # opening a FIFO for reading would block the ingest
    report = asql.connect().ingest(tmp_path / "e", workers=1)
    assert report.trials == 4


def test_in_memory_ingest_stages_no_files_and_equals_a_file_ingest(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ablation_sql.ingest import pipeline, reading
    from ablation_sql.ingest.staging import Stage

    monkeypatch.setattr(pipeline, "FEW_TRIALS", 0)  # every trial through the staging,
    monkeypatch.setattr(pipeline, "ARROW_TRIALS", 0)  # which writes Parquet for a file
    staged: list[list[str]] = []
    load = Stage.load
    monkeypatch.setattr(Stage, "load", lambda self, con, now: staged.append(
        sorted(os.listdir(self.folder)) if self.folder else []) or load(self, con, now))
    generate_experiment(tmp_path / "e", trials=60, epochs=3, seed=8, running=1, broken=2)
    with asql.connect(tmp_path / "file.duckdb") as on_disk:
        on_disk.ingest(tmp_path / "e", workers=2)
        expected = snapshot(on_disk.con, volatile=False)
    # a database file's ingest stages its batches as Parquet files, which the local worker
    # processes wrote: one per table and batch of 32 trials (errors where a trial has any)
    files = staged.pop()
    tables = [name.split("-")[0] for name in files]
    assert [tables.count(t) for t in ("trials", "params", "metrics")] == [2, 2, 2]
    assert "errors" in tables and all(name.endswith(".parquet") for name in files)
    # batches that come back as Arrow tables (as from a Dask cluster) are staged alike
    run_batches = reading.run_batches
    monkeypatch.setattr(reading, "run_batches", lambda func, jobs, **kw: run_batches(
        func, [(number, None, job) for number, _, job in jobs], **kw))
    with asql.connect(tmp_path / "returned.duckdb") as returned:
        returned.ingest(tmp_path / "e", workers=2)
        assert snapshot(returned.con, volatile=False) == expected
    assert staged.pop() == files
    in_memory = asql.connect()
    in_memory.sql("CREATE VIEW staged AS SELECT 42 AS answer")  # a user's, of the same name
    in_memory.ingest(tmp_path / "e", workers=2)
    assert staged.pop() == []  # in memory, the batches stay Arrow tables
    assert snapshot(in_memory.con, volatile=False) == expected
    # the view the load read is gone (and the tables it held on to); the user's is untouched
    assert in_memory.sql("SELECT * FROM staged").to_dict("list") == {"answer": [42]}


def test_sources_mixed_in_one_ingest_load_alike_in_memory_and_on_disk(tmp_path: Path) -> None:
    """Batches of other sources (plain text columns) and ABLATOR's (dictionary-encoded) are
    loaded together, from Arrow tables in memory as from Parquet files."""
    generate_experiment(tmp_path / "e", trials=40, epochs=3, seed=2, broken=2)
    sources = [p for p in sorted((Path(__file__).parent / "fixtures" / "sources").iterdir())
               if p.is_dir()]
    snapshots = []
    for db in (None, tmp_path / "mixed.duckdb"):
        with asql.connect(db) as mixed:
            mixed.ingest(tmp_path / "e", *sources, workers=2)
            snapshots.append(snapshot(mixed.con, volatile=False))
    assert snapshots[0] == snapshots[1]
    experiments = {row[0] for row in snapshots[0]["metrics"]}
    assert "e" in experiments and len(experiments) > len(sources)
