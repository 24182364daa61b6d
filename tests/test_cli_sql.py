"""The SQL commands of the CLI: sql, query, queries, export; golden files for each output format,
one-line errors, read-only by default, and help text for every command.

Regenerate the golden files with ``UPDATE_GOLDEN=1 pytest tests/test_cli_sql.py`` (then read the
diff)."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import ablation_sql as asql
from ablation_sql.cli import build_parser, main

from .conftest import REAL_EXPERIMENT

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMATS = {"table": "txt", "csv": "csv", "json": "json", "markdown": "md"}
TYPES_SQL = """
SELECT * FROM (VALUES
    (1, 'plain', 0.1, true, NULL, 'inf'::DOUBLE, '{"a": [1, 2]}'::JSON, DATE '2024-02-29'),
    (2, 'pipe | and "quote", comma', -2.5e-7, false, 'x', '-inf'::DOUBLE, NULL, NULL),
    (3, 'line
break', 1234567.891, NULL, NULL, 'nan'::DOUBLE, '"text"'::JSON, DATE '1999-12-31')
) t(id, text, num, flag, maybe, special, doc, day)
ORDER BY id
"""


@pytest.fixture(scope="module")
def db_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "tutorial.duckdb"
    with asql.connect(path) as db:
        db.ingest(REAL_EXPERIMENT, workers=1)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_sql_output_formats(db_path: Path, capsys, fmt: str) -> None:
    code, out, err = run(capsys, "sql", TYPES_SQL, "--db", str(db_path), "--format", fmt)
    assert (code, err) == (0, "")
    check_golden(f"sql_types.{FORMATS[fmt]}", out)


@pytest.mark.parametrize("fmt", FORMATS)
def test_query_output_formats(db_path: Path, capsys, fmt: str) -> None:
    code, out, err = run(capsys, "query", "top_trials", "--db", str(db_path), "--param", "k=3",
                         "-p", "metric=val_loss", "--format", fmt)
    assert (code, err) == (0, "")
    check_golden(f"top_trials.{FORMATS[fmt]}", out)


def test_a_list_parameter_from_the_command_line(db_path: Path, capsys) -> None:
    """A str[] parameter: comma-separated items, each metric's rows in the order given."""
    code, out, err = run(capsys, "query", "learning_curves", "--db", str(db_path), "-p",
                         "metric=val_accuracy, val_loss", "--format", "csv")
    assert (code, err) == (0, "")
    frame = pd.read_csv(io.StringIO(out))
    assert list(dict.fromkeys(frame["metric"])) == ["val_accuracy", "val_loss"]
    one = asql.connect(db_path, read_only=True).query("learning_curves", metric="val_loss")
    assert frame[frame["metric"] == "val_loss"]["mean"].tolist() == pytest.approx(
        one["mean"].tolist(), rel=1e-12)
    code, _, err = run(capsys, "query", "learning_curves", "--db", str(db_path), "-p",
                       "metric=val_loss,,val_accuracy")
    assert code != 0 and "learning_curves: metric: expected a str[] without an empty item" in err


def test_outputs_parse_back(db_path: Path, capsys) -> None:
    """csv and json carry every value in full; json is strict JSON."""
    _, out, _ = run(capsys, "query", "top_trials", "--db", str(db_path), "--format", "csv")
    frame = pd.read_csv(io.StringIO(out))
    expected = asql.connect(db_path, read_only=True).query("top_trials")
    assert frame.trial_uid.tolist() == expected.trial_uid.tolist()
    assert frame.value.tolist() == expected.value.tolist()
    _, out, _ = run(capsys, "sql", TYPES_SQL, "--db", str(db_path), "--format", "json")
    records = json.loads(out, parse_constant=lambda c: pytest.fail(f"non-strict JSON {c}"))
    assert records[0]["special"] == "Infinity" and records[2]["special"] is None
    assert records[0]["doc"] == {"a": [1, 2]} and records[0]["num"] == 0.1
    assert records[1]["text"] == 'pipe | and "quote", comma'


def test_sql_reads_stdin(db_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("SELECT count(*) AS n FROM trials"))
    code, out, _ = run(capsys, "sql", "-", "--db", str(db_path), "--format", "csv")
    assert (code, out) == (0, "n\n24\n")


def test_sql_is_read_only_unless_write(db_path: Path, tmp_path: Path, capsys) -> None:
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(db_path.read_bytes())
    before = copy.stat().st_mtime_ns
    code, _, err = run(capsys, "sql", "DELETE FROM trials", "--db", str(copy))
    assert code != 0 and "read-only" in err and err.count("\n") == 1
    code, out, _ = run(capsys, "sql", "SELECT count(*) AS n FROM trials", "--db", str(copy),
                       "--format", "csv")
    assert out == "n\n24\n" and copy.stat().st_mtime_ns == before
    # --write changes the data, and the views follow (trial_best is materialised)
    code, _, err = run(capsys, "sql", "DELETE FROM metrics WHERE name = 'val_loss'", "--db",
                       str(copy), "--write")
    assert (code, err) == (0, "")
    _, out, _ = run(capsys, "sql", "SELECT count(best_value) AS n FROM trial_best", "--db",
                    str(copy), "--format", "csv")
    assert out == "n\n0\n"


@pytest.mark.parametrize("argv, message", [
    (["sql", "SELECT * FROM nope"], "Table with name nope does not exist"),
    (["sql", "SELECT date '2020-01-01' + 1.5"], "No function matches"),
    (["sql", "SELEC 1"], "syntax error"),
    (["query", "top_trial"], "unknown query 'top_trial' (did you mean top_trials?)"),
    (["query", "top_trials", "-p", "kk=1"], "has no parameter 'kk'"),
    (["query", "top_trials", "-p", "k=ten"], "k: expected an int, got 'ten'"),
    (["query", "top_trials", "-p", "k"], "expected NAME=VALUE"),
    (["query", "ranking_settle"], "needs parameter 'metric'"),
    (["query", "top_trials", "-p", "metric=val_accuracy"], "give direction min or max"),
])
def test_errors_are_one_line(db_path: Path, capsys, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, *argv, "--db", str(db_path))
    assert code != 0 and out == ""
    assert err.startswith("ablation-sql: error: ") and err.count("\n") == 1
    assert message in err


def test_missing_database_and_bad_query_folder(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert code == 2 and "does not exist" in err and err.count("\n") == 1
    assert not (tmp_path / "none.duckdb").exists()
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.sql").write_text("-- name: broken\n-- Broken.\nSELECT $x\n")
    code, _, err = run(capsys, "queries", "--queries-dir", str(folder))
    assert code == 2 and f"{folder / 'broken.sql'}:3: $x is used but not declared" in err


def test_own_query_folder(db_path: Path, tmp_path: Path, capsys) -> None:
    (tmp_path / "count_status.sql").write_text(
        "-- name: count_status\n-- Trials with a status.\n-- param status: str = complete\n"
        "SELECT count(*) AS n FROM trials WHERE status = $status\n")
    code, out, _ = run(capsys, "query", "count_status", "--queries-dir", str(tmp_path),
                       "--db", str(db_path), "--format", "csv")
    assert (code, out) == (0, "n\n24\n")
    _, out, _ = run(capsys, "query", "count_status", "--queries-dir", str(tmp_path),
                    "--db", str(db_path), "--format", "csv", "-p", "status=NULL")
    assert out == "n\n0\n"


def test_queries_lists_every_query(capsys) -> None:
    code, out, _ = run(capsys, "queries")
    assert code == 0
    for query in asql.connect().queries().values():
        assert f"{query.name}: {query.summary}" in out
        for p in query.params:
            assert p.describe() in out and p.help in out
    _, verbose, _ = run(capsys, "queries", "--verbose")
    assert "FROM trial_metric(" in verbose and len(verbose) > len(out)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export(db_path: Path, tmp_path: Path, capsys, fmt: str) -> None:
    out_dir = tmp_path / "out"
    code, out, _ = run(capsys, "export", str(out_dir), "--format", fmt, "--db", str(db_path))
    assert code == 0 and out.startswith("Wrote ")
    db = asql.connect(db_path, read_only=True)
    names = db.sql("SELECT table_name FROM information_schema.tables "
                   "WHERE table_schema = 'main'").table_name.tolist()
    assert {"results", "trial_best", "trial_ranking", "trial_summary", "metrics",
            "trials"} <= set(names)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{n}.{fmt}" for n in names)
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    for name in ("results", "trial_ranking", "metrics"):
        frame = read(out_dir / f"{name}.{fmt}")
        assert len(frame) == db.sql(f"SELECT count(*) AS n FROM {name}").n[0]
    results = read(out_dir / f"results.{fmt}")
    assert "model_config.activation" in results.columns


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            return {name: (helps.get(name), sub) for name, sub in action.choices.items()}
    return {}


def test_every_command_has_help(capsys) -> None:
    commands = _subcommands(build_parser())
    assert {"ingest", "sql", "query", "queries", "export"} <= set(commands)
    for name, (summary, sub) in commands.items():
        assert summary, f"{name} has no help in the command list"
        assert sub.description, f"{name} has no description"
        for action in sub._actions:
            if action.dest != "help":
                assert action.help, f"{name}: {action.dest} has no help"
        with pytest.raises(SystemExit) as exit_:
            main([name, "--help"])
        assert exit_.value.code == 0
        assert sub.description.split()[0] in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    assert all(name in top for name in commands)


def test_the_installed_command(db_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "ablation_sql", "sql", "SELECT 42 AS answer",
                           "--db", str(db_path), "--format", "csv"],
                          capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "answer\n42\n")
