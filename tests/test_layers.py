"""The package's layout: every internal SQL file the code names is shipped where it is looked
for, and each layer's package says what it owns."""

from __future__ import annotations

import re
from importlib import import_module, resources
from pathlib import Path

import pytest

from ablation_sql.store.sqlfiles import statements

PACKAGE = Path(__file__).resolve().parent.parent / "ablation_sql"
LAYERS = ("store", "ingest", "queries", "effects", "plots", "report", "compat", "cli",
          "synthetic")
_NAMED = re.compile(r'(?:execute|fetch|statements)\(\s*(?:[\w.]+,\s*)?"(\w+/[\w/]+)"')


def _named_files() -> set[str]:
    return {name for path in PACKAGE.rglob("*.py") for name in _NAMED.findall(path.read_text())}


def test_every_named_sql_file_exists_in_its_layer() -> None:
    names = _named_files()
    assert len(names) > 40
    for name in names:
        layer, _, file = name.partition("/")
        assert layer in LAYERS, name
        assert resources.files("ablation_sql").joinpath(layer, "sql", f"{file}.sql").is_file()
        assert statements(name), name


def test_every_sql_file_sits_in_a_layer() -> None:
    for path in PACKAGE.rglob("*.sql"):
        assert path.relative_to(PACKAGE).parts[0] in LAYERS, path


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_says_what_it_owns(layer: str) -> None:
    doc = import_module(f"ablation_sql.{layer}").__doc__
    assert doc and len(doc.split()) > 15
