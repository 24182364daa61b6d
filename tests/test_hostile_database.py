"""Database files that cannot be used: damaged, someone else's, or on a full disk.

Each gives one line naming the file and what to do, exit code 3, and leaves the file as it was.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from ablation_sql.cli import main
from ablation_sql.synthetic import generate_experiment

from .hostile import build_experiment, good_trials_ingested, one_line_error
from .support import snapshot


@pytest.fixture(scope="module")
def good_db(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("good")
    exp = build_experiment(root / "exp")
    assert main(["ingest", str(exp), "--db", str(root / "a.duckdb"), "--workers", "1",
                 "--quiet"]) == 0
    return root / "a.duckdb"


@pytest.mark.parametrize("keep", [0.5, 0.9, 5000])
@pytest.mark.parametrize("command", ["ingest", "report", "effects"])
def test_truncated_database(good_db: Path, tmp_path: Path, capsys, command: str,
                            keep: float) -> None:
    data = good_db.read_bytes()
    cut = data[:int(len(data) * keep) if keep < 1 else int(keep)]
    db = tmp_path / "cut.duckdb"
    db.write_bytes(cut)
    exp = build_experiment(tmp_path / "exp")
    args = {
        "ingest": ["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"],
        "report": ["report", str(db), "--out", str(tmp_path / "site"), "--quiet"],
        "effects": ["effects", "--metric", "val_loss", "--db", str(db)],
    }[command]
    code = main(args)
    line = one_line_error(capsys.readouterr().err)
    assert code == 3
    assert str(db) in line and "damaged" in line and "new --db" in line
    assert db.read_bytes() == cut


def test_unrelated_duckdb_file(tmp_path: Path, capsys) -> None:
    db = tmp_path / "other.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE trials (a INTEGER, b VARCHAR)")
        con.execute("INSERT INTO trials VALUES (1, 'mine')")
    exp = build_experiment(tmp_path / "exp")
    code = main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"])
    line = one_line_error(capsys.readouterr().err)
    assert code == 3
    assert f"{db} is not an ablation_sql database" in line and "trials" in line
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT * FROM trials").fetchall() == [(1, "mine")]
        assert con.execute("SELECT count(*) FROM duckdb_tables()").fetchone() == (1,)


@pytest.fixture
def small_disk(tmp_path: Path):
    """An 8 MiB tmpfs (needs root); unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, text=True, timeout=30)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True, timeout=30)


def _fill(disk: Path, leave: int) -> Path:
    st = os.statvfs(disk)
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
    return filler


@pytest.mark.slow
def test_disk_full_at_commit_leaves_the_database_as_it_was(small_disk: Path, tmp_path: Path,
                                                           capsys) -> None:
    db = small_disk / "a.duckdb"
    small = build_experiment(tmp_path / "small")
    big = tmp_path / "big"
    generate_experiment(big, trials=200, epochs=20, seed=1)
    assert main(["ingest", str(small), "--db", str(db), "--workers", "1", "--quiet"]) == 0
    with duckdb.connect(str(db), read_only=True) as con:
        before = snapshot(con)
    filler = _fill(small_disk, 64 * 1024)
    code = main(["ingest", str(big), "--db", str(db), "--workers", "1", "--quiet"])
    line = one_line_error(capsys.readouterr().err)
    assert code == 3
    assert str(db) in line and "No space left on device" in line
    assert "database is unchanged" in line and "free disk space" in line
    filler.unlink()
    with duckdb.connect(str(db), read_only=True) as con:
        assert snapshot(con) == before
    good_trials_ingested(db)


@pytest.mark.slow
def test_new_database_on_a_full_disk(small_disk: Path, tmp_path: Path, capsys) -> None:
    exp = build_experiment(tmp_path / "exp")
    _fill(small_disk, 0)
    db = small_disk / "new.duckdb"
    code = main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"])
    line = one_line_error(capsys.readouterr().err)
    assert code == 3
    assert str(db) in line and "No space left on device" in line and "free disk space" in line
