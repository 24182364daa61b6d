"""A connection that runs only the package's SQL (the report's) may cap DuckDB's memory: a file
that runs out of memory under the cap is run once more without it, with the same result, and
the cap is put back; external access stays off; the report of a database file is written
under a tiny cap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest

import ablation_sql as asql
from ablation_sql.report import build
from ablation_sql.store import sqlfiles
from ablation_sql.store.connection import cursor, open_connection
from ablation_sql.store.grammar import parse_sql
from ablation_sql.synthetic import generate_experiment

# Every group's list of two million numbers: far more than a 2 MB cap holds, and a list
# aggregate cannot spill.
HUNGRY = parse_sql("-- name: hungry\n-- Lists of many numbers.\n"
                   "SELECT g, len(list(i ORDER BY i DESC)) AS n, max(i) AS top\n"
                   "FROM numbers GROUP BY g ORDER BY g\n", "hungry.sql")
TINY = "2MB"


@pytest.fixture(scope="module")
def numbers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cap") / "numbers.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE numbers AS SELECT range AS i, range % 3 AS g "
                    "FROM range(2000000)")
    return path


def _cap(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


def test_a_file_that_runs_out_of_memory_is_run_again_without_the_cap(numbers: Path) -> None:
    with open_connection(numbers, read_only=True, allow_files=False) as con:
        expected = sqlfiles.fetch(con, HUNGRY)
    with open_connection(numbers, read_only=True, allow_files=False,
                         memory_limit=TINY) as con:
        before = _cap(con)
        with pytest.raises(duckdb.OutOfMemoryException):  # the cap holds for plain SQL
            con.execute(HUNGRY.sql).fetchall()
        assert sqlfiles.fetch(con, HUNGRY).equals(expected)
        assert sqlfiles.execute(con, HUNGRY) == list(expected.itertuples(index=False,
                                                                          name=None))
        assert _cap(con) == before  # put back after each retry
        assert before.endswith("MiB") and float(before.split()[0]) < 3


def test_a_run_out_of_memory_is_retried_when_no_memory_is_left_to_spare(numbers: Path) -> None:
    """Another thread's query may hold all the memory under the cap just when a file runs out
    of it (a cap of 1 KB stands for that here): the retry needs no memory before the cap is
    lifted, so it still happens, and the cap the connection was opened with is put back."""
    with open_connection(numbers, read_only=True, allow_files=False,
                         memory_limit=TINY) as con:
        before = _cap(con)
        con.execute("SET memory_limit = '1KB'")
        calls = []

        def run() -> list[tuple]:
            calls.append(1)
            if len(calls) == 1:
                raise duckdb.OutOfMemoryException("out of memory under the cap")
            return con.execute("SELECT 42").fetchall()

        assert sqlfiles._uncapped_once(con, run) == [(42,)]
        assert _cap(con) == before


def test_a_capped_connection_still_reaches_no_file(numbers: Path) -> None:
    with open_connection(numbers, read_only=True, allow_files=False,
                         memory_limit=TINY) as con:
        for sql in (f"SELECT * FROM read_text('{numbers}')", "SET enable_external_access = true"):
            with pytest.raises(duckdb.Error):
                con.execute(sql).fetchall()


def test_a_cap_not_of_the_store_is_kept(numbers: Path) -> None:
    """A cap set by other SQL (the sandbox of user SQL is locked besides): an out-of-memory
    error is not retried."""
    with duckdb.connect(str(numbers), read_only=True) as con:
        con.execute(f"SET memory_limit = '{TINY}'")
        sqlfiles.execute(con, "store/sandbox")
        with pytest.raises(duckdb.OutOfMemoryException):
            sqlfiles.fetch(con, HUNGRY)


@pytest.mark.slow
def test_the_report_of_a_file_is_the_same_under_a_tiny_cap(tmp_path: Path, monkeypatch) -> None:
    generate_experiment(tmp_path / "exp", trials=30, epochs=3, seed=1)
    db_file = tmp_path / "db.duckdb"
    with asql.connect(db_file) as db:
        db.ingest(tmp_path / "exp", workers=1)
    pages = {}
    for cap in ("1GB", TINY):
        monkeypatch.setattr(build, "READ_MEMORY_LIMIT", cap)
        page, _ = build.report_paths([db_file], tmp_path / cap)
        pages[cap] = [line for line in page.read_text("utf-8").splitlines()
                      if " UTC" not in line]  # the time it was written
    assert pages[TINY] == pages["1GB"]


def test_the_cap_stays_lifted_until_every_thread_s_run_without_it_ends(numbers: Path) -> None:
    """Two threads' files run out of memory and run again without the cap at once: the first
    to end does not put the cap back under the other, the last one does."""
    both_retrying = threading.Barrier(2)
    first_done = threading.Event()
    seen: dict[str, str] = {}

    def hungry(name: str, other: duckdb.DuckDBPyConnection) -> Callable[[], str]:
        calls = []

        def run() -> str:
            calls.append(1)
            if len(calls) == 1:
                raise duckdb.OutOfMemoryException("out of memory under the cap")
            both_retrying.wait(timeout=10)
            if name == "second":
                first_done.wait(timeout=10)
                seen[name] = _cap(other)
            return name
        return run

    with open_connection(numbers, read_only=True, allow_files=False,
                         memory_limit=TINY) as con:
        capped = _cap(con)
        other = cursor(con)
        results: dict[str, str] = {}

        def work(name: str) -> None:
            results[name] = sqlfiles._uncapped_once(other if name == "second" else con,
                                                    hungry(name, other))
            if name == "first":
                first_done.set()

        threads = [threading.Thread(target=work, args=(n,)) for n in ("first", "second")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert results == {"first": "first", "second": "second"}
        assert seen["second"] != capped  # still lifted while the second ran
        assert _cap(con) == capped  # put back once both ended
        other.close()


def test_lifting_the_cap_is_tried_again_while_no_memory_is_left(numbers: Path,
                                                                  monkeypatch) -> None:
    """Lifting the cap is itself a statement that needs a little memory: when other threads'
    queries hold all there is, it fails; it is tried again (here the second try succeeds)."""
    run_file = sqlfiles._run
    lifts = []

    def short_of_memory(con, file, given):  # type: ignore[no-untyped-def]
        if file == "store/memory_limit_reset":
            lifts.append(1)
            if len(lifts) == 1:
                raise duckdb.OutOfMemoryException("out of memory under the cap")
        return run_file(con, file, given)

    monkeypatch.setattr(sqlfiles, "_run", short_of_memory)
    with open_connection(numbers, read_only=True, allow_files=False,
                         memory_limit=TINY) as con:
        before = _cap(con)
        assert sqlfiles.fetch(con, HUNGRY)["n"].sum() == 2_000_000
        assert len(lifts) == 2
        assert _cap(con) == before
