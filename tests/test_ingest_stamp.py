"""The stamp beside the database: a re-ingest that finds nothing changed answers from it, with
the summary the database would give, and anything else (a file touched, a trial added or
removed, other options, another write to the database, a stale or hostile stamp) is asked of
the database. Whether the database was opened shows in ``ingests``: every ingest that opens
it logs a row."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.cli import main
from ablation_sql.ingest import parse_trials, pipeline
from ablation_sql.ingest.stamp import SUFFIX, IngestStamp
from ablation_sql.synthetic import generate_experiment

from .support import copy_tree


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An experiment of 12 trials (one running, two with broken files) in ``tmp_path/e``."""
    generate_experiment(tmp_path / "e", trials=12, epochs=3, seed=2, running=1, broken=2)
    return tmp_path / "e"


def ingest(capsys: pytest.CaptureFixture, *args: str | Path) -> tuple[str, int]:
    """The summary an ``ablation-sql ingest`` printed (its timing line left out) and the rows
    ``ingests`` holds after it."""
    *paths, db = args
    assert main(["ingest", *map(str, paths), "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("Ingested ")
    return "\n".join(lines[:1] + lines[2:]), log_rows(Path(db))


def log_rows(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        ((n,),) = con.execute("SELECT count(*) FROM ingests").fetchall()
    return n


def answered_by_database(capsys: pytest.CaptureFixture, *args: str | Path) -> str:
    """The summary of an ingest asked of the database (the stamp removed first)."""
    Path(f"{args[-1]}{SUFFIX}").unlink(missing_ok=True)
    summary, _ = ingest(capsys, *args)
    return summary


def test_nothing_changed_answers_from_the_stamp_as_the_database_would(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "x.duckdb"
    first, logged = ingest(capsys, folder, db)
    assert "read now: 12, unchanged: 0" in first and "Files not read in full: 3" in first
    assert logged == 1 and Path(f"{db}{SUFFIX}").is_file()
    stamped, logged = ingest(capsys, folder, db)
    assert logged == 1  # the database was not opened
    assert "read now: 0, unchanged: 12, gone since last ingest: 0" in stamped
    assert stamped == answered_by_database(capsys, folder, db)
    assert log_rows(db) == 2
    assert ingest(capsys, folder, db) == (stamped, 2)  # the database's answer stamped again


def test_a_stamped_re_ingest_does_not_load_duckdb(
        folder: Path, tmp_path: Path) -> None:
    """As a user runs it: the second ingest neither loads DuckDB nor opens the file."""
    args = [sys.executable, "-c", "import sys; from ablation_sql.cli import main; "
            "code = main(sys.argv[1:]); print('duckdb' in sys.modules); sys.exit(code)",
            "ingest", str(folder), "--db", str(tmp_path / "x.duckdb")]
    runs = [subprocess.run(args, capture_output=True, text=True, timeout=300) for _ in "ab"]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    assert runs[0].stdout.splitlines()[-1] == "True"
    assert runs[1].stdout.splitlines()[-1] == "False"


def _trial(folder: Path) -> Path:
    """The first trial folder with results."""
    return min(p.parent for p in folder.glob("*/results.json"))


def _touch(folder: Path) -> None:
    path = _trial(folder) / "results.json"
    os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns + 1))


def _add(folder: Path) -> None:
    copy_tree(_trial(folder), folder / "extra_trial")


def _remove(folder: Path) -> None:
    shutil.rmtree(_trial(folder))


def _master(folder: Path) -> None:
    path = folder / "master_config.yaml"
    path.write_text(path.read_text() + "\n")


def _unreadable(folder: Path) -> None:
    os.symlink("nowhere", folder / "extra_state.db")  # a state db that is not a file: noted


@pytest.mark.parametrize(("change", "expected"), [
    (_touch, "read now: 1, unchanged: 11, gone since last ingest: 0"),
    (_add, "read now: 1, unchanged: 12, gone since last ingest: 0"),
    (_remove, "read now: 0, unchanged: 11, gone since last ingest: 1"),
    (_master, "read now: 0, unchanged: 12, gone since last ingest: 0"),
    (_unreadable, "Files not read in full: 4"),
], ids=lambda x: getattr(x, "__name__", "")[1:])
def test_a_change_in_the_folder_is_asked_of_the_database(
        change: Callable[[Path], None], expected: str, folder: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    change(folder)
    summary, logged = ingest(capsys, folder, db)
    assert logged == 2 and expected in summary
    again, logged = ingest(capsys, folder, db)  # from the stamp the changed ingest wrote
    assert logged == 2 and again == answered_by_database(capsys, folder, db)


def test_trials_read_in_the_process_stamp_without_asking_again(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Trials read in the ingest's process tell whether it left nothing to do: the database is
    not asked again. Rows that do not say what was found (another fingerprint) are asked of
    it, which finds the trial to read again: no stamp."""
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    asked: list[str] = []
    execute = pipeline.execute
    monkeypatch.setattr(pipeline, "execute",
                        lambda con, name, **p: asked.append(str(name)) or execute(con, name, **p))
    _touch(folder)
    assert ingest(capsys, folder, db)[1] == 2 and Path(f"{db}{SUFFIX}").is_file()
    assert asked.count("ingest/experiment_ids") == 1  # the plan, not asked again
    assert ingest(capsys, folder, db)[1] == 2  # from the stamp

    parse = parse_trials.parse_batch

    def elsewhere(*args: Any, **kwargs: Any) -> dict:
        batch = parse(*args, **kwargs)
        batch["trials"]["fingerprint"] = ["other"] * len(batch["trials"]["fingerprint"])
        return batch

    monkeypatch.setattr(parse_trials, "parse_batch", elsewhere)
    asked.clear()
    _touch(folder)
    assert ingest(capsys, folder, db)[1] == 3 and not Path(f"{db}{SUFFIX}").exists()
    assert asked.count("ingest/experiment_ids") == 2


@pytest.mark.parametrize("options", [["--full"], ["--source", "ablator"],
                                     ["--direction", "val_loss=max"]], ids=" ".join)
def test_other_options_are_asked_of_the_database(
        options: list[str], folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    assert main(["ingest", str(folder), "--db", str(db), "--quiet", *options]) == 0
    assert log_rows(db) == 2
    again = main(["ingest", str(folder), "--db", str(db), "--quiet", *options])
    assert again == 0 and log_rows(db) == (3 if options == ["--full"] else 2)


def test_more_paths_are_asked_of_the_database(folder: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "x.duckdb"
    generate_experiment(tmp_path / "f", trials=3, epochs=2, seed=5)
    ingest(capsys, folder, db)
    both, logged = ingest(capsys, folder, tmp_path / "f", db)
    assert logged == 2 and "Trials: 15 (" in both
    again, logged = ingest(capsys, folder, tmp_path / "f", db)
    assert logged == 2 and again == answered_by_database(capsys, folder, tmp_path / "f", db)
    alone, logged = ingest(capsys, folder, db)  # the stamp was of both: asked again
    assert logged == 4 and "  e: 12 trials" in alone and "  f: " not in alone


def test_another_write_to_the_database_voids_the_stamp(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "x.duckdb"
    generate_experiment(tmp_path / "f", trials=3, epochs=2, seed=5)
    ingest(capsys, folder, db)
    with asql.connect(db) as other:  # the Python API writes no stamp
        other.ingest(tmp_path / "f")
    summary, logged = ingest(capsys, folder, db)
    assert logged == 3 and summary == answered_by_database(capsys, folder, db)


def test_a_write_not_yet_in_the_file_is_not_missed(folder: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture) -> None:
    """A connection that has written and still holds the file: its write-ahead log is there,
    so the stamp is not trusted, and the ingest meets the lock as it would without one."""
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "c.execute('DELETE FROM ingests'); print('ready', flush=True); time.sleep(60)",
         str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert Path(f"{db}.wal").exists()
        done = subprocess.run([sys.executable, "-m", "ablation_sql", "ingest", str(folder),
                               "--db", str(db)], capture_output=True, text=True, timeout=300)
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 2 and "is locked by" in done.stderr


def test_a_database_deleted_or_replaced_by_an_older_copy(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    db, copy = tmp_path / "x.duckdb", tmp_path / "copy.duckdb"
    ingest(capsys, folder, db)
    shutil.copy2(db, copy)  # keeps the mtime
    _touch(folder)
    ingest(capsys, folder, db)
    shutil.copy2(copy, db)  # the older state, with its mtime, in the same file
    summary, logged = ingest(capsys, folder, db)
    assert logged == 2 and "read now: 1, unchanged: 11" in summary
    db.unlink()
    summary, logged = ingest(capsys, folder, db)
    assert logged == 1 and "read now: 12, unchanged: 0" in summary


def test_a_stale_stamp_is_not_trusted(folder: Path, tmp_path: Path,
                                      capsys: pytest.CaptureFixture) -> None:
    """Two ingests whose stamps are written in the other order than their ingests: the
    stamp names the database file as the first ingest left it, so it no longer fits."""
    db, stamp = tmp_path / "x.duckdb", Path(f"{tmp_path / 'x.duckdb'}{SUFFIX}")
    ingest(capsys, folder, db)
    first = stamp.read_bytes()
    _touch(folder)
    ingest(capsys, folder, db)
    _touch(folder)
    stamp.write_bytes(first)
    summary, logged = ingest(capsys, folder, db)
    assert logged == 3 and "read now: 1, unchanged: 11" in summary


def test_concurrent_ingests_leave_a_stamp_that_tells_the_truth(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    generate_experiment(tmp_path / "f", trials=3, epochs=2, seed=5)
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    runs = [subprocess.Popen([sys.executable, "-m", "ablation_sql", "ingest", str(path),
                              "--db", str(db), "--quiet"], stderr=subprocess.PIPE, text=True)
            for path in (tmp_path / "f", folder, tmp_path / "f", folder)]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0 or "is locked by" in err, err
    for path in (folder, tmp_path / "f"):
        summary, _ = ingest(capsys, path, db)
        assert summary == answered_by_database(capsys, path, db)


def test_in_memory_no_stamp(folder: Path, tmp_path: Path) -> None:
    for _ in "ab":
        done = subprocess.run([sys.executable, "-m", "ablation_sql", "ingest", str(folder),
                               "--db", ":memory:"], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0 and "read now: 12, unchanged: 0" in done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e"]


def test_a_scheduler_is_not_needed_when_nothing_changed(
        folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Neither way of answering reaches the cluster when no trial is to be read."""
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    nowhere = ["--scheduler", "tcp://127.0.0.1:9"]
    assert main(["ingest", str(folder), "--db", str(db), *nowhere]) == 0
    assert log_rows(db) == 1
    Path(f"{db}{SUFFIX}").unlink()
    assert main(["ingest", str(folder), "--db", str(db), *nowhere]) == 0
    assert log_rows(db) == 2


@pytest.fixture
def stamped(folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture
            ) -> tuple[IngestStamp, dict]:
    """An ingested folder's stamp, and what the stamp file holds."""
    db = tmp_path / "x.duckdb"
    ingest(capsys, folder, db)
    stamp = IngestStamp(db, [str(folder)], None, {})
    assert stamp.answer() is not None
    return stamp, json.loads(stamp.path.read_text())


def _leaves(value: object, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list) and value:
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [path]


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=8)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_hostile_stamp_is_never_trusted(stamped: tuple[IngestStamp, dict],
                                          data: st.DataObject) -> None:
    stamp, valid = stamped
    leaf = data.draw(st.sampled_from(_leaves(valid)))
    replacement = data.draw(JSON)
    changed = json.loads(json.dumps(valid))
    *parents, last = leaf
    owner = changed
    for key in parents:
        owner = owner[key]
    original = owner[last]
    owner[last] = replacement
    stamp.path.write_text(json.dumps(changed))
    answer = stamp.answer()  # never raises
    same = type(replacement) is type(original) and replacement == original
    if same or leaf[0] != "summary":
        assert (answer is not None) == same
    else:  # the summary is checked field by field: a well-formed one is printed as it is
        assert answer is None or answer.summary()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=300) | JSON.map(lambda v: json.dumps(v).encode()))
def test_any_bytes_in_the_stamp_are_refused_quietly(stamped: tuple[IngestStamp, dict],
                                                    raw: bytes) -> None:
    stamp, _ = stamped
    stamp.path.write_bytes(raw)
    assert stamp.answer() is None


def test_a_format_of_true_is_not_format_one(stamped: tuple[IngestStamp, dict]) -> None:
    """JSON's ``true`` equals 1 in Python; the stamp's format is compared with its type."""
    stamp, valid = stamped
    stamp.path.write_text(json.dumps({**valid, "format": True}))
    assert stamp.answer() is None
