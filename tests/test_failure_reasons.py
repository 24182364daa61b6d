"""Failure reasons: the exception line ending a failed trial's train.log, read safely, stored
in trials.failure_reason and shown by failure_rates; older databases are upgraded."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ablation_sql import Database, connect
from ablation_sql.errors import InputError
from ablation_sql.ingest.train_log import TAIL_BYTES, failure_reason, reason_in_text
from ablation_sql.store.connection import SCHEMA_VERSION
from ablation_sql.synthetic import generate_experiment

RED, RESET = "\x1b[91m", "\x1b[0m"
TRACEBACK = (
    "2026-11-28 09:38:12: " + RED + "Traceback (most recent call last):\n"
    '  File "train.py", line 3, in <module>\n'
    "    raise ValueError('lr too large')\n"
    "ValueError: lr too large" + RESET + "\n"
)


def test_the_exception_line_of_a_coloured_traceback() -> None:
    assert reason_in_text("Starting Logger\n" + TRACEBACK) == "ValueError: lr too large"
    assert reason_in_text(TRACEBACK + "\n\n") == "ValueError: lr too large"
    chained = TRACEBACK + "\nDuring handling of the above exception, another exception " \
        "occurred:\n\nTraceback (most recent call last):\n  File \"x\", line 1\n" \
        "torch.cuda.OutOfMemoryError\n"
    assert reason_in_text(chained) == "torch.cuda.OutOfMemoryError"


@pytest.mark.parametrize("text", [
    "",
    "2026-11-28 09:38:12: val_loss: 3.2 val_accuracy: 0.1\n",
    TRACEBACK + "2026-11-28 09:39:00: Evaluation Step [4] val_loss: 2.1\n",  # went on after it
    "ValueError: no traceback before it\n",
])
def test_no_reason_unless_the_log_ends_with_a_traceback(text: str) -> None:
    assert reason_in_text(text) is None


@settings(max_examples=300, deadline=None)
@given(st.text(), st.binary())
def test_any_text_gives_none_or_one_clean_line(text: str, raw: bytes) -> None:
    for candidate in (text, text + TRACEBACK, raw.decode("utf-8", errors="replace") + TRACEBACK):
        reason = reason_in_text(candidate)
        assert reason is None or (
            "\n" not in reason and "\x1b" not in reason and 0 < len(reason) <= 500)


def test_only_the_tail_of_a_big_log_is_read(tmp_path: Path) -> None:
    log = tmp_path / "train.log"
    log.write_bytes(b"Traceback (most recent call last):\n" + b"\xff" * (3 * TAIL_BYTES)
                    + b"\nplain line\nKeyError: 'x'\n")
    assert failure_reason(log) is None  # the header lies before the last 64 KiB
    with log.open("ab") as handle:
        handle.write(TRACEBACK.encode())
    assert failure_reason(log) == "ValueError: lr too large"


def test_a_fifo_a_folder_and_a_missing_file_give_no_reason(tmp_path: Path) -> None:
    fifo = tmp_path / "train.log"
    os.mkfifo(fifo)
    found: list[str | None] = []
    reader = threading.Thread(target=lambda: found.append(failure_reason(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive() and found == [None]  # never blocks waiting for a writer
    (tmp_path / "folder").mkdir()
    assert failure_reason(tmp_path / "folder") is None
    assert failure_reason(tmp_path / "nothing.log") is None


def test_synthetic_failed_trials_have_their_reason_everywhere(tmp_path: Path) -> None:
    truth = generate_experiment(tmp_path / "e", trials=30, epochs=4, seed=3, failed=4,
                                running=2)
    failed = sorted(n for n, s in truth.statuses.items() if s == "failed")
    with connect(tmp_path / "x.duckdb") as db:
        db.ingest(tmp_path / "e")
        rows = db.sql("SELECT trial_uid, status, failure_reason FROM trials ORDER BY 1")
        with_reason = rows[rows["failure_reason"].notna()]
        assert sorted(with_reason["trial_uid"]) == failed
        assert set(with_reason["status"]) == {"failed"}
        assert all(r.startswith("ablator.modules.metrics.main.LossDivergedError: Loss Diverged.")
                   for r in with_reason["failure_reason"])
        rates = db.query("failure_rates", metric="val_accuracy")
        for _attribute, levels in rates.groupby("attribute"):
            assert levels["failed"].sum() == len(failed)
            shown = levels.loc[levels["failed"] > 0, "failure_reasons"]
            assert shown.notna().all() and "LossDivergedError" in shown.iloc[0]
            assert levels.loc[levels["failed"] == 0, "failure_reasons"].isna().all()
        # unchanged trials are not re-read
        again = db.ingest(tmp_path / "e")
        assert again.trials_read == 0


def test_real_fixture_has_no_reason_until_a_log_ends_with_a_traceback(
        real_experiment: Path, db: Database) -> None:
    db.ingest(real_experiment)
    assert db.sql("SELECT count(failure_reason) AS n FROM trials")["n"][0] == 0
    with (real_experiment / "0b39_9910_7402" / "train.log").open("a") as handle:
        handle.write(TRACEBACK)
    report = db.ingest(real_experiment)
    assert report.trials_read == 1  # the train.log is part of the trial's fingerprint
    assert db.sql("SELECT trial_uid, failure_reason FROM trials WHERE failure_reason "
                  "IS NOT NULL").values.tolist() == [["0b39_9910_7402",
                                                      "ValueError: lr too large"]]


def test_a_schema_1_database_is_upgraded_or_refused_clearly(real_experiment: Path,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    with connect(path) as db:
        db.ingest(real_experiment)
    with duckdb.connect(str(path)) as con:  # what an older version wrote
        con.execute("DROP VIEW IF EXISTS trial_summary CASCADE")
        con.execute("ALTER TABLE trials DROP COLUMN failure_reason")
        con.execute("UPDATE schema_info SET value = '1' WHERE key = 'schema_version'")
    with pytest.raises(InputError,
                       match=rf"older ablation_sql \(schema 1, now {SCHEMA_VERSION}\); ingest"):
        connect(path, read_only=True)
    with connect(path) as db:  # opened for writing: upgraded in place
        db.ingest(real_experiment)
        assert db.sql("SELECT count(*) AS n FROM trials WHERE failure_reason IS NULL"
                      )["n"][0] == 24
    with connect(path, read_only=True) as db:
        assert len(db.sql("SELECT * FROM trials")) == 24
