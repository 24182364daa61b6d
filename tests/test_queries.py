"""The named queries: the file grammar and the loader of the library."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ablation_sql as asql
from ablation_sql.cli.queries import parse_cli_params
from ablation_sql.errors import QueryError
from ablation_sql.queries import (
    NamedQuery,
    bind_params,
    convert,
    default_folder,
    get_query,
    load_queries,
    parse_query,
)

REQUIRED = {"top_trials", "categorical_effects", "numerical_effects", "learning_curves",
            "trial_status", "search_space_coverage", "compare_experiments"}


# --- the library and its grammar ------------------------------------------------------------

def test_the_library_loads_and_documents_itself() -> None:
    queries = load_queries()
    assert REQUIRED <= set(queries)
    for name, query in queries.items():
        assert isinstance(query, NamedQuery) and query.name == name
        assert query.summary and query.summary[0].isupper(), name
        assert Path(query.path).name == f"{name}.sql"
        assert all(p.help for p in query.params), name
        assert query.summary in query.doc and "Parameters:" in query.doc
    assert (Path(default_folder()) / "README.md").exists()
    top = queries["top_trials"]
    assert [p.describe() for p in top.params[:3]] == [
        "metric: str = val_loss", "k: int >= 1 = 10", "experiment: str = NULL"]
    assert queries["ranking_settle"].param("metric").required
    assert not queries["learning_curves"].param("attribute").required
    metric = queries["learning_curves"].param("metric")
    assert metric.type == "str[]" and metric.describe() == "metric: str[] = val_loss"
    assert bind_params(queries["learning_curves"], {"metric": "a,b"})["metric"] == ["a", "b"]


GOOD = """-- name: q
-- Does a thing.
-- More about the thing.
-- param a: int = 3          -- the a
-- param b: str = 'x -- y'   -- quoted default
-- param c: bool = NULL
-- param d: float
SELECT $a + 1 AS a, $b AS b, $c AS c, $d AS d, '$notaparam' AS e -- $nor_this
/* $nor_that */;
"""


def test_header_grammar() -> None:
    query = parse_query(GOOD, "q.sql")
    assert query.description == "Does a thing.\nMore about the thing."
    assert [(p.name, p.type, p.default, p.required, p.help) for p in query.params] == [
        ("a", "int", 3, False, "the a"), ("b", "str", "x -- y", False, "quoted default"),
        ("c", "bool", None, False, ""), ("d", "float", None, True, "")]
    assert not query.sql.endswith(";")
    assert bind_params(query, {"d": "2.5", "a": "7", "c": "yes"}) == {
        "a": 7, "b": "x -- y", "c": True, "d": 2.5}
    db = asql.connect()
    got = run_from(db, query, d=1)
    assert got.to_dict("records") == [{"a": 4, "b": "x -- y", "c": None, "d": 1.0,
                                       "e": "$notaparam"}]


def run_from(db: asql.Database, query: NamedQuery, **params: Any) -> pd.DataFrame:
    return db.con.execute(query.sql, bind_params(query, params)).df()


@pytest.mark.parametrize("text, line, message", [
    ("SELECT 1", 1, "starts with a '-- name: <name>' line"),
    ("-- nom: q\n-- d\nSELECT 1", 1, "expected '-- name: <name>'"),
    ("-- name: other\n-- d\nSELECT 1", 1, "the file is q.sql"),
    ("-- name: q\n-- param a: int = 1\nSELECT $a", 2, "one-line description"),
    ("-- name: q\n-- d\n-- param a int\nSELECT 1", 3, "expected '-- param"),
    ("-- name: q\n-- d\n-- param a: integer\nSELECT $a", 3, "unknown type 'integer'"),
    ("-- name: q\n-- d\n-- param a: int = ten\nSELECT $a", 3, "expected an int"),
    ("-- name: q\n-- d\n-- param a: str[] = x,,y\nSELECT $a", 3, "without an empty item"),
    ("-- name: q\n-- d\n-- param a: str[] >= 1\nSELECT $a", 3, "only int and float"),
    ("-- name: q\n-- d\n-- param a: int\n-- param a: int\nSELECT $a", 4, "declared twice"),
    ("-- name: q\n-- d\n-- param a: int\n-- param b: int\nSELECT $a", 4,
     "'b' is declared but the SQL never uses $b"),
    ("-- name: q\n-- d\nSELECT 1,\n  $x", 4, "$x is used but not declared"),
    ("-- name: q\n-- d\nSELECT 1;\nSELECT 2", 3, "one query per file"),
    ("-- name: q\n-- d\nSELECT ?", 3, "'?' parameters are not supported"),
    ("-- name: q\n-- d\nSELECT $1", 3, "positional parameters"),
    ("-- name: q\n-- d\nSELECT 'open", 3, "unterminated ' quote"),
    ("-- name: q\n-- d\n", 3, "no SQL after the header"),
    ("-- name: q\n-- d\n-- param a: str = 'x\nSELECT $a", 3, "unterminated quoted default"),
    ("-- name: q\n-- d\n-- param a: int =\nSELECT $a", 3, "'=' without a default"),
])
def test_malformed_files_name_file_and_line(text: str, line: int, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(text, "queries/q.sql")
    assert str(info.value).startswith(f"queries/q.sql:{line}: ")
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_bad_file_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "fine.sql").write_text("-- name: fine\n-- Fine.\nSELECT 1 AS one\n")
    assert list(load_queries(tmp_path)) == ["fine"]
    (tmp_path / "bad.sql").write_text("-- name: bad\n-- Bad.\n-- param k: int\nSELECT 1\n")
    with pytest.raises(QueryError, match=rf"^{tmp_path / 'bad.sql'}:3: parameter 'k'"):
        load_queries(tmp_path)
    with pytest.raises(QueryError, match="not a folder"):
        load_queries(tmp_path / "nope")


def test_conversions() -> None:
    assert convert("10", "int") == 10 and convert(10.0, "int") == 10
    assert convert("1e-3", "float") == 0.001 and convert(2, "float") == 2.0
    assert convert("TRUE", "bool") is True and convert("off", "bool") is False
    assert convert(1, "bool") is True and convert(None, "int") is None
    assert convert(5, "str") == "5"
    assert convert("val_loss", "str[]") == ["val_loss"]
    assert convert(" a, b ,c", "str[]") == ["a", "b", "c"]
    assert convert(("a", "b, c"), "str[]") == ["a", "b, c"] and convert(None, "str[]") is None
    assert convert(' ["a, b", " c"]', "str[]") == ["a, b", " c"]  # JSON: items kept whole
    for value in ["", "a,,b", [], ["a", None], [1], 5, {"a": 1}, "[", '["a", 1]', "[]",
                  '[""]']:
        with pytest.raises(QueryError, match="expected a str"):
            convert(value, "str[]")
    for value, type_ in [("1.5", "int"), (1.5, "int"), (True, "int"), ("maybe", "bool"),
                         ("x", "float"), (2, "bool")]:
        with pytest.raises(QueryError, match="expected a"):
            convert(value, type_)
    assert parse_cli_params(["k=10", "experiment=NULL", "s=a=b", "e="]) == {
        "k": "10", "experiment": None, "s": "a=b", "e": ""}
    with pytest.raises(QueryError, match="NAME=VALUE"):
        parse_cli_params(["k"])
    with pytest.raises(QueryError, match="given twice"):
        parse_cli_params(["k=1", "k=2"])


@given(st.lists(st.text(min_size=1).filter(lambda t: "," not in t and t.strip()), min_size=1))
def test_a_list_from_text_is_its_items_trimmed(items: list[str]) -> None:
    if not items[0].lstrip().startswith("["):
        assert convert(",".join(items), "str[]") == [item.strip() for item in items]
    assert convert(items, "str[]") == items


@given(st.lists(st.text(min_size=1), min_size=1))
def test_a_json_list_keeps_any_items(items: list[str]) -> None:
    """Any names, commas, brackets and spaces included, come back whole from a JSON list."""
    assert convert(json.dumps(items), "str[]") == items


def test_run_errors_are_one_line(data) -> None:
    db, _, _ = data
    with pytest.raises(QueryError, match=r"unknown query 'top_trial' \(did you mean top_tri"):
        db.query("top_trial")
    with pytest.raises(QueryError, match="has no parameter 'kk'"):
        db.query("top_trials", kk=3)
    with pytest.raises(QueryError, match="needs parameter 'metric'"):
        db.query("ranking_settle")
    with pytest.raises(QueryError, match="k: expected an int"):
        db.query("top_trials", k="many")
    with pytest.raises(QueryError, match=r"^query top_trials: .*no metric nope"):
        db.query("top_trials", metric="nope")
    with pytest.raises(QueryError, match="give direction min or max"):
        db.query("top_trials", metric="val_accuracy")
    assert get_query("top_trials") is load_queries()["top_trials"]


def test_values_are_bound_not_formatted(data) -> None:
    db, _, _ = data
    evil = "tutorial-tpe' OR '1'='1"
    assert db.query("top_trials", experiment=evil).empty
    assert db.query("trial_status", experiment="x'); DROP TABLE trials; --").empty
    assert db.sql("SELECT count(*) AS n FROM trials").n[0] > 0


def test_packaging_ships_the_sql() -> None:
    """Every folder of .sql files is package data, and setup.py maps the query library into
    the package (queries/ -> ablation_sql/queries/named)."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    data_globs = config["package-data"]["ablation_sql"]
    for folder in {p.parent for p in (root / "ablation_sql").rglob("*.sql")}:
        rel = folder.relative_to(root / "ablation_sql").as_posix()
        assert f"{rel}/*.sql" in data_globs, rel
    assert "*.sql" in config["package-data"]["ablation_sql.queries.named"]
    setup = (root / "setup.py").read_text()
    assert '{"ablation_sql.queries.named": "queries"}' in setup
