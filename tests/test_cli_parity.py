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
                                "plot", "report"}
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
