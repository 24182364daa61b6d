"""Ingest on a real Dask cluster on this machine: a ``dask scheduler`` and two ``dask worker``
processes started as a user starts them, reached by ``--scheduler tcp://127.0.0.1:PORT``. The
database equals a local ingest, and progress is reported batch by batch there too."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import ablation_sql as asql
from ablation_sql.synthetic import generate_experiment

from .conftest import snapshot

pytestmark = pytest.mark.slow

DASK = str(Path(sys.executable).with_name("dask"))
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen) -> None:
    """End a process started here and everything it started (its own session), at once if it
    does not end within 10 s."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The address of a scheduler with two single-threaded workers, all ended afterwards."""
    distributed = pytest.importorskip("distributed")
    work = tmp_path_factory.mktemp("cluster")
    address = f"tcp://127.0.0.1:{free_port()}"
    commands = [[DASK, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                 "--no-dashboard"]]
    commands += [[DASK, "worker", address, "--nworkers", "1", "--nthreads", "1",
                  "--no-dashboard", "--name", f"w{i}", "--local-directory", str(work / f"w{i}"),
                  "--death-timeout", "60"] for i in (1, 2)]
    processes: list[subprocess.Popen] = []
    try:
        for i, command in enumerate(commands):
            with open(work / f"{i}.log", "w") as log:  # the process keeps its own copy
                processes.append(subprocess.Popen(command, cwd=work, start_new_session=True,
                                                  stdout=log, stderr=subprocess.STDOUT))
        with distributed.Client(address, timeout=f"{STARTUP_SECONDS}s") as client:
            client.wait_for_workers(2, timeout=STARTUP_SECONDS)
        yield address
    finally:
        for process in reversed(processes):
            stop(process)


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("experiment") / "e"
    generate_experiment(folder, trials=150, epochs=4, seed=11, running=2, failed=2, broken=3)
    return folder


def test_cluster_ingest_through_the_command_equals_a_local_one(cluster: str, experiment: Path,
                                                               tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ablation_sql", "ingest", str(experiment), "--db", "c.duckdb",
         "--scheduler", cluster], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "read now: 150, unchanged: 0" in done.stdout
    with asql.connect(tmp_path / "l.duckdb") as local:
        local.ingest(experiment, workers=2)
    with duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True) as on_cluster, \
            duckdb.connect(str(tmp_path / "l.duckdb"), read_only=True) as alone:
        expected = snapshot(alone, volatile=False)
        assert len(expected["trials"]) == 150 and expected["metrics"]
        assert snapshot(on_cluster, volatile=False) == expected


def test_cluster_ingest_reports_progress_batch_by_batch(cluster: str, experiment: Path) -> None:
    seen: list[tuple[int, int]] = []
    with asql.connect() as db:
        report = db.ingest(experiment, scheduler=cluster, workers=2,
                           on_progress=lambda done, total: seen.append((done, total)))
    assert report.trials_read == 150
    assert seen[0] == (0, 150) and seen[-1] == (150, 150)
    assert len(seen) >= 4  # 150 trials in batches of 32: five updates after the first
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:], strict=False))
