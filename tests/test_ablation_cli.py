"""``ablation-sql ablation`` as a user runs it, on the real experiment: output, formats, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import ablation_sql as asql

from .conftest import REAL_EXPERIMENT


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("abl-cli") / "tpe.duckdb"
    with asql.connect(path) as db:
        db.ingest(REAL_EXPERIMENT)
    return path


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", "ablation", *args],
                          capture_output=True, text=True, timeout=300)


def test_the_real_search_explains_little_and_says_so(real_db):
    done = _run("--metric", "val_loss", "--db", str(real_db), "--resamples", "15")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Findings:" and lines[1].startswith("The surrogate explains little")
    assert "predicts" not in done.stdout and "Top 10% importance:" in done.stdout
    with asql.connect(real_db, read_only=True) as db:
        found = db.ablation("val_loss", resamples=15)
    assert done.stdout == found.render("table")


def test_csv_and_json_put_the_findings_on_stderr(real_db):
    done = _run("--metric", "val_loss", "--db", str(real_db), "--resamples", "5", "--format",
                "json", "--target", '{"activation": "elu"}')
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [r["attribute"] for r in rows] == ["model_config.activation"]
    assert rows[0]["source"] == "relu" and done.stderr.startswith("Findings:")


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "no-such-trial"], "no trial 'no-such-trial'"),
    (["--source", "{not json"], "--source: not a JSON object"),
    (["--source", '{"nope": 1}'], "source: no attribute nope"),
    (["--top", "2"], "top must be a share"),
    (["--fit-trials", "5"], "fit_trials must be at least 10"),
    (["--metric", "nope"], "no metric 'nope'"),
])
def test_bad_arguments_are_one_line_and_exit_2(real_db, args, message):
    done = _run("--metric", "val_loss", "--db", str(real_db), "--resamples", "3", *args)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr


def test_a_surrogate_fitted_on_a_sample_is_said_to_be(real_db):
    done = _run("--metric", "val_loss", "--db", str(real_db), "--resamples", "3",
                "--fit-trials", "12")
    assert done.returncode == 0, done.stderr
    assert "fitted on 12 of the 24 used trials" in done.stdout
