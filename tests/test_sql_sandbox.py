"""``ablation-sql sql`` and read-only ``db.sql`` reach nothing but the database: statements that
read or write files, use the network or extensions, attach other databases or change the
configuration are refused by default and allowed with ``--allow-files`` (or ``--write``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

import ablation_sql as asql
from ablation_sql.errors import AblationSQLError
from ablation_sql.store.connection import duckdb_threads
from ablation_sql.store.sqlfiles import execute
from ablation_sql.synthetic import generate_experiment

SANDBOX_MESSAGE = ("disabled by configuration", "disabled through configuration",
                   "configuration has been locked")


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a database, a secret file, a CSV and another database beside it."""
    root = tmp_path_factory.mktemp("sandbox")
    generate_experiment(root / "synth", trials=6, epochs=2, seed=3)
    with asql.connect(root / "db.duckdb") as db:
        db.ingest(root / "synth", workers=1)
    with asql.connect(root / "other.duckdb") as db:
        db.sql("CREATE TABLE secret AS SELECT 42 AS answer")
    (root / "secret.txt").write_text("top secret\n", encoding="utf-8")
    (root / "outside.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return root


# (label, SQL with {root}, a file it would write, does --allow-files make it succeed here)
STATEMENTS = [
    ("copy-to", "COPY trials TO '{root}/copy.csv'", "copy.csv", True),
    ("copy-to-parquet", "COPY (SELECT 1 AS x) TO '{root}/copy.parquet' (FORMAT parquet)",
     "copy.parquet", True),
    ("export-database", "EXPORT DATABASE '{root}/export'", "export", True),
    ("read-text", "SELECT content FROM read_text('{root}/secret.txt')", None, True),
    ("read-text-etc", "SELECT count(*) FROM read_text('/etc/passwd')", None, True),
    ("read-csv-outside", "SELECT * FROM read_csv('{root}/outside.csv')", None, True),
    ("replacement-scan", "SELECT * FROM '{root}/outside.csv'", None, True),
    ("read-blob", "SELECT size FROM read_blob('{root}/secret.txt')", None, True),
    ("glob", "SELECT count(*) FROM glob('{root}/*')", None, True),
    ("glob-root", "SELECT count(*) FROM glob('/root/*')", None, True),
    ("attach", "ATTACH '{root}/other.duckdb' AS other (READ_ONLY); "
     "SELECT answer FROM other.secret", None, True),
    ("install", "INSTALL httpfs", None, False),  # no network here: fails either way
    ("load", "LOAD httpfs", None, False),  # not installed: fails either way
    ("set-external-access", "SET enable_external_access = true", None, False),
    ("reset-external-access", "RESET enable_external_access", None, False),
    ("unlock", "SET lock_configuration = false", None, True),
    ("reset-lock", "RESET lock_configuration", None, True),
    ("unlock-then-read", "SET lock_configuration = false; SET enable_external_access = true; "
     "SELECT count(*) FROM read_text('{root}/secret.txt')", None, False),
    ("allowed-directories", "SET allowed_directories = ['/']", None, True),
    ("temp-directory", "SET temp_directory = '{root}/spill'", None, True),
]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize(("sql", "writes"), [(s, w) for _, s, w, _ in STATEMENTS],
                         ids=[label for label, *_ in STATEMENTS])
def test_refused_by_default(box: Path, sql: str, writes: str | None) -> None:
    before = sorted(p.name for p in box.iterdir())
    run = _cli("sql", sql.format(root=box), "--db", str(box / "db.duckdb"))
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("ablation-sql: error: ")
    assert any(m in run.stderr for m in SANDBOX_MESSAGE) and "--allow-files" in run.stderr
    assert "Traceback" not in run.stderr
    assert sorted(p.name for p in box.iterdir()) == before
    if writes:
        assert not (box / writes).exists()


@pytest.mark.parametrize(("sql", "writes", "works"), [(s, w, ok) for _, s, w, ok in STATEMENTS],
                         ids=[label for label, *_ in STATEMENTS])
def test_allowed_with_the_flag(box: Path, sql: str, writes: str | None, works: bool) -> None:
    run = _cli("sql", sql.format(root=box), "--db", str(box / "db.duckdb"), "--allow-files")
    assert not any(m in run.stderr for m in SANDBOX_MESSAGE), run.stderr
    assert "Traceback" not in run.stderr
    if works:
        assert run.returncode == 0, run.stderr
    else:  # refused by DuckDB for another reason (no network, nothing installed, ...)
        assert run.returncode == 2 and run.stderr.count("\n") == 1
    if writes:
        assert (box / writes).exists()


def test_allowed_with_write(box: Path) -> None:
    run = _cli("sql", f"SELECT content FROM read_text('{box}/secret.txt')", "--db",
               str(box / "db.duckdb"), "--write")
    assert run.returncode == 0 and "top secret" in run.stdout


def test_the_sandboxed_database_reads_all_of_itself(box: Path) -> None:
    """External access off, the database file is still read: every table and view."""
    run = _cli("sql", "SELECT (SELECT count(*) FROM metrics) AS metrics, "
               "(SELECT count(*) FROM results) AS results, "
               "(SELECT count(*) FROM trial_best) AS best", "--db", str(box / "db.duckdb"),
               "--format", "csv")
    assert run.returncode == 0, run.stderr
    with asql.connect(box / "db.duckdb", read_only=True, allow_files=True) as db:
        expected = db.sql("SELECT (SELECT count(*) FROM metrics), (SELECT count(*) FROM results),"
                          " (SELECT count(*) FROM trial_best)").iloc[0].tolist()
    assert run.stdout.splitlines()[1] == ",".join(str(n) for n in expected)
    assert expected[0] > 0


def test_named_queries_and_plots_work_sandboxed(box: Path, tmp_path: Path) -> None:
    run = _cli("query", "top_trials", "-p", "metric=val_accuracy", "-p", "k=2",
               "--db", str(box / "db.duckdb"), "--format", "csv")
    assert run.returncode == 0 and len(run.stdout.splitlines()) == 3, run.stderr
    export = _cli("export", str(tmp_path / "out"), "--format", "csv",
                  "--db", str(box / "db.duckdb"))
    assert export.returncode == 0 and (tmp_path / "out" / "trials.csv").is_file()


def test_read_only_python_api_is_sandboxed(box: Path) -> None:
    with asql.connect(box / "db.duckdb", read_only=True) as db:
        assert len(db.sql("SELECT * FROM trials")) == 6
        for sql in (f"SELECT * FROM read_text('{box}/secret.txt')",
                    f"COPY trials TO '{box}/api.csv'", "SET lock_configuration = false"):
            with pytest.raises(AblationSQLError, match="configuration"):
                db.sql(sql)
    assert not (box / "api.csv").exists()
    with asql.connect(box / "db.duckdb", read_only=True, allow_files=True) as db:
        assert db.sql(f"SELECT content FROM read_text('{box}/secret.txt')").iloc[0, 0] == (
            "top secret\n")


def test_duckdb_threads_changes_the_setting_for_a_block_unless_it_is_locked() -> None:
    con = duckdb.connect()
    con.execute("SET threads = 3")

    def threads() -> int:
        return con.execute("SELECT current_setting('threads')").fetchall()[0][0]

    with duckdb_threads(con, 1):
        assert threads() == 1
    assert threads() == 3
    execute(con, "store/sandbox")
    with duckdb_threads(con, 1):
        assert threads() == 3
    assert threads() == 3
