"""Every ``ablation-sql`` command has help, a README section and a named Python equivalent."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

import ablation_sql
from ablation_sql import cli
from ablation_sql.database import Database

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(sub.choices)


def _helps() -> dict[str, str | None]:
    parser = cli.build_parser()
    (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {action.dest: action.help for action in sub._choices_actions}


def _section(command: str) -> str | None:
    """The README section whose ``### `` heading names ``command`` before its colon."""
    for block in re.split(r"^(?=### )", README, flags=re.M):
        title = block.splitlines()[0].partition(":")[0]
        if block.startswith("### ") and command in re.findall(r"[\w-]+", title):
            return block
    return None


def _resolve(name: str) -> object:
    owner, _, attribute = name.partition(".")
    if owner == "Database":
        return getattr(Database, attribute)
    assert not attribute and owner in ablation_sql.__all__, name
    return getattr(ablation_sql, owner)


def test_the_commands_are_the_documented_ones():
    assert set(_commands()) == {"ingest", "sql", "query", "queries", "export", "effects",
                                "ablation", "repeats", "compare", "settle", "plot", "report"}
    assert set(cli.PYTHON_EQUIVALENTS) == set(_commands())


@pytest.mark.parametrize("command", sorted(_commands()))
def test_command_has_help_readme_and_python_equivalent(command):
    parser = _commands()[command]
    assert _helps()[command], f"{command}: no one-line help"
    assert parser.description, f"{command}: no description"
    section = _section(command)
    assert section is not None, f"README.md has no ### section for {command}"
    assert f"ablation-sql {command}" in section
    equivalent = cli.PYTHON_EQUIVALENTS[command]
    target = _resolve(equivalent)
    assert callable(target), equivalent
    assert target.__doc__, f"{equivalent} has no docstring"
    method = equivalent.partition(".")[2]
    if method:
        assert f"db.{method}(" in section, f"README's {command} section does not show db.{method}("


@pytest.mark.parametrize("option", ["--db", "--format", "--experiment"])
def test_shared_options_are_defined_once(option):
    """The shared options are added by ``cli.common`` only, never spelled out by a command."""
    folder = Path(cli.__file__).parent
    spelled = [path.name for path in folder.glob("*.py")
               if f'add_argument("{option}"' in path.read_text(encoding="utf-8")]
    assert spelled == ["common.py"]


def test_export_plot_and_report_methods_write_what_the_commands_write(real_experiment,
                                                                       tmp_path, capsys):
    """``db.export``, ``db.plot`` and ``db.report`` write the files their command writes."""
    path = tmp_path / "tpe.duckdb"
    with ablation_sql.connect(path) as db:
        db.ingest(real_experiment, workers=1)
    runs = {
        "export": (["export", str(tmp_path / "cli-export"), "--format", "csv"],
                   lambda db, out: db.export(out, format="csv")),
        "plot": (["plot", "--out", str(tmp_path / "cli-plot"), "--metric", "val_loss",
                  "--format", "svg"],
                 lambda db, out: db.plot(out, metrics=["val_loss"], format="svg")),
        "report": (["report", str(path), "--out", str(tmp_path / "cli-report"), "--quiet"],
                   lambda db, out: db.report(out)),
    }
    for command, (argv, method) in runs.items():
        assert cli.main([*argv, "--db", str(path)] if command != "report" else argv) == 0
        capsys.readouterr()
        with ablation_sql.connect(path, read_only=True, allow_files=True) as db:
            method(db, tmp_path / f"py-{command}")
        by_cli = sorted(p.relative_to(tmp_path / f"cli-{command}").as_posix()
                        for p in (tmp_path / f"cli-{command}").rglob("*"))
        by_python = sorted(p.relative_to(tmp_path / f"py-{command}").as_posix()
                           for p in (tmp_path / f"py-{command}").rglob("*"))
        assert by_cli == by_python and by_cli, command
    for name in ("trials.csv", "metrics.csv"):
        assert ((tmp_path / "cli-export" / name).read_bytes()
                == (tmp_path / "py-export" / name).read_bytes())
