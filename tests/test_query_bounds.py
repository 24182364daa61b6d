"""Bounds on named-query parameters (``-- param k: int >= 1 = 10``): the header grammar, checks
at load and at run with one-line errors naming the query file and line, never a DuckDB
conversion error."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ablation_sql.errors import QueryError
from ablation_sql.queries import bind_params, get_query, load_queries, parse_query

HEADER = "-- name: q\n-- Does a thing.\n"


def _query(line: str, used: str = "$a") -> str:
    return f"{HEADER}{line}\nSELECT {used} AS a\n"


@pytest.mark.parametrize(("line", "bounds", "default", "required", "help_text"), [
    ("-- param a: int >= 1 = 10 -- the a", ((">=", 1),), 10, False, "the a"),
    ("-- param a: int >= 1", ((">=", 1),), None, True, ""),
    ("-- param a: int > 0 < 100 = NULL", ((">", 0), ("<", 100)), None, False, ""),
    ("-- param a: float >= 0 <= 1 = 0.3", ((">=", 0.0), ("<=", 1.0)), 0.3, False, ""),
    ("-- param a: float >=-1.5<=-0.5 = -1", ((">=", -1.5), ("<=", -0.5)), -1.0, False, ""),
    ("-- param a: int >= 3 <= 3 = 3", ((">=", 3), ("<=", 3)), 3, False, ""),
    ("-- param a: int = 10", (), 10, False, ""),
])
def test_bounds_grammar(line: str, bounds: tuple, default, required: bool,
                        help_text: str) -> None:
    (param,) = parse_query(_query(line), "q.sql").params
    assert (param.bounds, param.default, param.required, param.help) == (
        bounds, default, required, help_text)
    again = parse_query(_query(f"-- param {param.describe()}"), "q.sql").params[0]
    assert (again.bounds, again.default, again.required) == (bounds, default, required)


@pytest.mark.parametrize(("line", "message"), [
    ("-- param a: str >= 1", "only int and float parameters take bounds"),
    ("-- param a: bool < 1", "only int and float parameters take bounds"),
    ("-- param a: int >= one", "expected an int"),
    ("-- param a: int >= 1.5", "expected an int"),
    ("-- param a: float >= nan", "not a finite number"),
    ("-- param a: float < inf", "not a finite number"),
    ("-- param a: int >= 1 > 0", "two lower bounds"),
    ("-- param a: int < 1 <= 5", "two upper bounds"),
    ("-- param a: int >= 5 <= 1", "no value is >= 5 and <= 1"),
    ("-- param a: int > 3 <= 3", "no value is > 3 and <= 3"),
    ("-- param a: int >= 1 = 0", "the default: a must be >= 1, got 0"),
    ("-- param a: float > 0 < 1 = 1", "the default: a must be < 1.0, got 1.0"),
    ("-- param a: int >= 1 = 10 >= 2", "expected an int"),
    ("-- param a: int => 1", "default of a: expected an int, got '> 1'"),
    ("-- param a: int >= 99999999999999999999", "out of range for an int"),
])
def test_bad_bounds_name_file_and_line(line: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(_query(line), "queries/q.sql")
    text = str(info.value)
    assert text.startswith("queries/q.sql:3: ") and message in text and "\n" not in text


# The library's parameters checked against their meaning: (query, parameter, a bad value,
# other parameters needed).
LIBRARY_BOUNDS = [
    ("top_trials", "k", 0, {}),
    ("top_trials", "k", -1, {}),
    ("top_trials", "last_k", 0, {}),
    ("top_trials", "at_step", -1, {}),
    ("categorical_effects", "last_k", 0, {}),
    ("numerical_effects", "at_step", -2, {}),
    ("compare_experiments", "last_k", -5, {}),
    ("failure_rates", "bins", 0, {}),
    ("failure_rates", "last_k", 0, {}),
    ("learning_curves", "bins", -1, {"attribute": "x"}),
    ("trial_status", "bins", -1, {}),
    ("attribute_associations", "threshold", 1.5, {}),
    ("attribute_associations", "threshold", -0.1, {}),
]


@pytest.mark.parametrize(("name", "param", "bad", "others"), LIBRARY_BOUNDS,
                         ids=[f"{n}-{p}={b}" for n, p, b, _ in LIBRARY_BOUNDS])
def test_library_parameters_are_checked(name: str, param: str, bad, others: dict) -> None:
    query = get_query(name)
    declared = query.param(param)
    with pytest.raises(QueryError) as info:
        bind_params(query, {**others, param: str(bad)})
    text = str(info.value)
    assert text.startswith(f"query {name}: {param} must be ")
    assert text.endswith(f"(declared at {query.path}:{declared.line})")
    assert "\n" not in text
    bind_params(query, {**others, param: None})  # NULL is always accepted


def test_every_count_parameter_has_a_lower_bound() -> None:
    for query in load_queries().values():
        for p in query.params:
            if p.name in ("k", "last_k", "bins", "at_step"):
                assert p.bounds and p.bounds[0][0] == ">=", (query.name, p.name)


def test_int_range() -> None:
    query = get_query("top_trials")
    assert bind_params(query, {"k": str(2**63 - 1)})["k"] == 2**63 - 1
    with pytest.raises(QueryError, match="out of range for an int"):
        bind_params(query, {"k": str(2**63)})


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(2**70), max_value=2**70))
def test_any_k_is_bound_or_refused_in_one_line(k: int) -> None:
    query = get_query("top_trials")
    try:
        bound = bind_params(query, {"k": str(k)})
    except QueryError as exc:
        assert "\n" not in str(exc)
        assert k < 1 or k >= 2**63
    else:
        assert 1 <= bound["k"] < 2**63 and bound["k"] == k


def test_cli_error_is_one_line_not_a_conversion_error(tmp_path: Path) -> None:
    """The parameter is checked before the database is opened (none exists here)."""
    for args in (["top_trials", "-p", "k=0"], ["failure_rates", "-p", "bins=0"],
                 ["top_trials", "-p", "k=99999999999999999999"]):
        run = subprocess.run([sys.executable, "-m", "ablation_sql", "query", *args, "--db",
                              str(tmp_path / "none.duckdb")], capture_output=True, text=True,
                             timeout=120)
        assert run.returncode == 2 and run.stdout == ""
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("ablation-sql: error: ")
        assert "Conversion Error" not in run.stderr and "does not exist" not in run.stderr
    assert f"{args[0]}.sql" in subprocess.run(
        [sys.executable, "-m", "ablation_sql", "query", "top_trials", "-p", "k=0"],
        capture_output=True, text=True, timeout=120).stderr
