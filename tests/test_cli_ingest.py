"""The ingest command end to end: summary, exit codes, locking and a kill mid-transaction."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from ablation_sql.cli import build_parser, main
from ablation_sql.synthetic import generate_experiment

from .support import snapshot

HERE = Path(__file__).resolve().parent


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_summary_and_exit_code_with_skipped_files(tmp_path: Path, capsys) -> None:
    generate_experiment(tmp_path / "e", trials=12, epochs=3, seed=2, running=1, broken=2)
    code = main(["ingest", str(tmp_path / "e"), "--db", str(tmp_path / "x.duckdb")])
    out = capsys.readouterr().out
    assert code == 0
    assert "Ingested 1 experiment" in out and "Trials: 12 (" in out
    assert re.search(r"Steps: \d+ +Metric rows: [\d,]+", out)
    assert "Files not read in full: 3" in out and "ends mid-write" in out
    assert "read now: 12, unchanged: 0" in out

    assert main(["ingest", str(tmp_path / "e"), "--db", str(tmp_path / "x.duckdb"),
                 "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_nothing_to_do_is_an_error_without_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = run_cli("ingest", "empty", "nothere", "--db", "x.duckdb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "no ABLATOR experiment" in result.stderr and "nothere does not exist" in result.stderr


def test_default_db_path_and_module_entry_point(tmp_path: Path) -> None:
    generate_experiment(tmp_path / "e", trials=3, epochs=2)
    result = run_cli("ingest", "e", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ablation.duckdb").exists()


def test_locked_database_is_a_one_line_error(tmp_path: Path) -> None:
    generate_experiment(tmp_path / "e", trials=3, epochs=2)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
         "print('ready', flush=True); time.sleep(60)", str(tmp_path / "x.duckdb")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run_cli("ingest", "e", "--db", "x.duckdb", cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "is locked by" in result.stderr and f"PID {holder.pid}" in result.stderr


def test_every_command_has_help() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert commands
    for name, sub in commands.items():
        assert sub.description, name
        for action in sub._actions:
            assert action.help, (name, action.dest)


@pytest.mark.slow
def test_sigkill_mid_ingest_leaves_the_previous_state(tmp_path: Path) -> None:
    small = tmp_path / "small"
    generate_experiment(small, trials=10, epochs=3, seed=1)
    big = tmp_path / "big"
    generate_experiment(big, trials=3000, epochs=20, seed=2)
    db_path = tmp_path / "x.duckdb"
    assert run_cli("ingest", str(small), "--db", str(db_path), "--quiet",
                   cwd=tmp_path).returncode == 0
    with duckdb.connect(str(db_path), read_only=True) as con:
        before = snapshot(con)

    proc = subprocess.Popen(
        [sys.executable, "-m", "ablation_sql", "ingest", str(big), str(small), "--db",
         str(db_path), "--workers", "2"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"})
    seen = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        chunk = os.read(proc.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
        counts = [int(n) for n in re.findall(rb" (\d+)/3000 ", seen)]
        if any(0 < n < 3000 for n in counts):
            break
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # The parsing workers notice and end too.
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert alive == []
    assert any(0 < int(n) < 3000 for n in re.findall(rb" (\d+)/3000 ", seen)), seen[-500:]

    with duckdb.connect(str(db_path), read_only=True) as con:
        assert snapshot(con) == before
    # And the database still takes the interrupted ingest afterwards.
    assert run_cli("ingest", str(big), "--db", str(db_path), "--quiet",
                   cwd=tmp_path).returncode == 0
