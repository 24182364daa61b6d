"""The one SQL-file grammar of the package's own files and the named queries: every internal
file has its header, scripts are declared, includes and templates, and the one way to run them
(``store.sqlfiles``)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ablation_sql.errors import QueryError
from ablation_sql.queries import get_query, parse_query
from ablation_sql.store import sqlfiles
from ablation_sql.store.fetch import one_line
from ablation_sql.store.grammar import parse_sql

PACKAGE = Path(__file__).resolve().parent.parent / "ablation_sql"
REDUCTION = ["reduction", "last_k", "at_step", "by_metric", "direction"]


def _internal_names() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.sql")):
        layer, _sql, *rest = path.relative_to(PACKAGE).parts
        names.append(f"{layer}/{'/'.join(rest).removesuffix('.sql')}")
    return names


@pytest.mark.parametrize("name", _internal_names())
def test_every_internal_file_has_the_header(name: str) -> None:
    parsed = sqlfiles.load(name)
    assert parsed.name == name.rsplit("/", 1)[1]
    assert parsed.summary
    assert parsed.script == (len(parsed.statements) > 1)


def test_a_script_runs_each_statement_with_its_parameters() -> None:
    text = ("-- name: s\n-- Two statements.\n-- param a: int\n-- param b: str = 'x;y'\n"
            "-- script\nCREATE TABLE t AS SELECT $a AS a;\n-- a comment; not a statement\n"
            "SELECT a, $b AS b, ';' AS c FROM t;\n")
    script = parse_sql(text, "s.sql", scripts=True)
    assert [sorted(s.params) for s in script.statements] == [["a"], ["b"]]
    con = duckdb.connect()
    assert sqlfiles.execute(con, script, a=3, unused=1) == [(3, "x;y", ";")]
    with pytest.raises(QueryError, match=r"^s\.sql: parameter 'a' \(int\) not given"):
        sqlfiles.execute(con, script)


@pytest.mark.parametrize(("text", "scripts", "line", "message"), [
    ("-- name: q\n-- d\nSELECT 1;\nSELECT 2", True, 3, "a '-- script' header line allows"),
    ("-- name: q\n-- d\n-- script\nSELECT 1", False, 3, "a named query is one statement"),
    ("-- name: q\n-- d\n-- include: reduction\nSELECT 1", True, 3, "'-- include' is not"),
    ("-- name: q\n-- d\n-- param t: timestamp\nSELECT $t", False, 3, "unknown type"),
])
def test_grammar_errors_name_file_and_line(text: str, scripts: bool, line: int,
                                           message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_sql(text, "q.sql", scripts=scripts)
    assert str(info.value).startswith(f"q.sql:{line}: ") and message in str(info.value)


def test_the_reduction_parameters_are_declared_once() -> None:
    for name in ("top_trials", "categorical_effects", "numerical_effects",
                 "compare_experiments", "failure_rates"):
        query = get_query(name)
        text = Path(query.path).read_text(encoding="utf-8")
        assert "-- include: reduction" in text and "-- param reduction" not in text
        names = [p.name for p in query.params]
        start = names.index("reduction")
        assert names[start:start + 5] == REDUCTION
        line = text.splitlines().index("-- include: reduction") + 1
        assert {query.param(p).line for p in REDUCTION} == {line}
    with pytest.raises(QueryError, match="no fragment 'nope'"):
        parse_query("-- name: q\n-- d\n-- include: nope\nSELECT 1", "q.sql")
    query = parse_query("-- name: q\n-- d\n-- include: reduction\n-- param x: int = 1\n"
                        "SELECT $reduction, $last_k, $at_step, $by_metric, $direction, $x")
    assert [p.name for p in query.params] == [*REDUCTION, "x"]


def test_fill_replaces_the_markers_only() -> None:
    filled = sqlfiles.fill("store/views/trial_attributes", attribute_aggregates=", 1 AS one")
    assert ", 1 AS one" in filled.sql and "/*attribute_aggregates*/" not in filled.sql
    assert "/*attribute_aggregates*/" in sqlfiles.load("store/views/trial_attributes").sql


_PIECE = st.text(st.sampled_from("ab ;'\n-"), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECE, min_size=1, max_size=4))
def test_statements_split_at_semicolons_outside_strings(literals: list[str]) -> None:
    body = ";\n".join(
        "SELECT '" + text.replace("'", "''") + "' AS v" for text in literals)
    parsed = parse_sql(f"-- name: q\n-- d\n-- script\n{body}\n", "q.sql", scripts=True)
    con = duckdb.connect()
    assert len(parsed.statements) == len(literals)
    assert sqlfiles.execute(con, parsed) == [(literals[-1],)]


def test_duckdb_errors_on_one_line() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE trials (x INTEGER)")
    with pytest.raises(duckdb.Error) as info:
        con.execute("SELECT nope\nFROM trial")
    line = one_line(info.value)
    assert "\n" not in line and "^" not in line
    assert line.startswith("Catalog Error: Table with name trial does not exist!")
    assert 'Did you mean "trials"?' in line and line.endswith("(LINE 2: FROM trial)")
