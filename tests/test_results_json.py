"""The tolerant results.json reader: unit cases and property-based tests."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ablation_sql.ingest.results_json import parse_results

metric_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**62), max_value=2**62),
    st.none(),
    st.booleans(),
    st.text(max_size=8),
    st.lists(st.floats(allow_nan=False), max_size=3),
)
rows_strategy = st.lists(
    st.dictionaries(st.text(min_size=1, max_size=10), metric_values, max_size=6), max_size=8
)


def ablator_dump(rows: list[dict]) -> str:
    """results.json as ABLATOR writes it."""
    return json.dumps(rows, indent=0)


def same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b and type(a) is type(b)


def test_complete_file_with_nan_and_infinity() -> None:
    text = '[{\n"val_loss": NaN,\n"best": Infinity,\n"low": -Infinity,\n"n": 3\n}]'
    parsed = parse_results(text)
    assert parsed.complete and not parsed.truncated and parsed.problem is None
    (row,) = parsed.rows
    assert math.isnan(row["val_loss"]) and row["best"] == math.inf and row["low"] == -math.inf


def test_cut_mid_object_keeps_complete_rows() -> None:
    text = '[{\n"a": 1\n},\n{\n"a": 2\n},\n{\n"a": 3,\n"b'
    parsed = parse_results(text)
    assert parsed.truncated and not parsed.complete
    assert [r["a"] for r in parsed.rows] == [1, 2]
    assert "mid-write" in parsed.problem and "2 complete rows" in parsed.problem


def test_missing_closing_bracket_only() -> None:
    parsed = parse_results('[{"a": 1},\n{"a": 2}')
    assert parsed.truncated and [r["a"] for r in parsed.rows] == [1, 2]


def test_garbage_is_not_json() -> None:
    parsed = parse_results("\x00\x01garbage")
    assert parsed.rows == [] and not parsed.truncated
    assert parsed.problem.startswith("results.json is not JSON")


def test_corrupt_middle_keeps_rows_before() -> None:
    parsed = parse_results('[{"a": 1}, {"a": oops}, {"a": 3}]')
    assert [r["a"] for r in parsed.rows] == [1] and not parsed.truncated
    assert "corrupt" in parsed.problem


def test_extra_content_after_array() -> None:
    parsed = parse_results('[{"a": 1}] trailing')
    assert [r["a"] for r in parsed.rows] == [1]
    assert "extra content" in parsed.problem


def test_not_a_list_and_non_object_items() -> None:
    assert "not a list" in parse_results('{"a": 1}').problem
    parsed = parse_results('[{"a": 1}, 5]')
    assert [r["a"] for r in parsed.rows] == [1] and "item 1 is a number" in parsed.problem


def test_empty_array_is_complete_with_no_rows() -> None:
    parsed = parse_results("[]")
    assert parsed.complete and parsed.rows == []


@given(rows_strategy)
def test_round_trip(rows: list[dict]) -> None:
    parsed = parse_results(ablator_dump(rows))
    assert parsed.complete and same(parsed.rows, rows)


@settings(max_examples=300)
@given(rows_strategy, st.data())
def test_any_truncation_keeps_exactly_the_complete_objects(rows: list[dict], data) -> None:
    text = ablator_dump(rows)
    cut = data.draw(st.integers(min_value=0, max_value=max(0, len(text) - 1)))
    prefix = text[:cut]
    parsed = parse_results(prefix)
    # Every row the reader returns is one of the originals, in order, and it never invents any.
    assert same(parsed.rows, rows[: len(parsed.rows)])
    # A row is kept exactly when its closing brace made it into the prefix.
    # (indent=0 ends the text with "\n]" after the last object's closing brace.)
    complete = sum(1 for i in range(len(rows)) if len(ablator_dump(rows[: i + 1])) - 2 <= cut)
    assert len(parsed.rows) == complete
    if prefix.strip():
        assert not parsed.complete and parsed.problem


@given(st.binary(max_size=200))
def test_garbage_bytes_never_raise(blob: bytes) -> None:
    parsed = parse_results(blob.decode("utf-8", errors="replace"))
    assert isinstance(parsed.rows, list)
    assert parsed.complete or parsed.problem


@given(rows_strategy, st.text(max_size=20))
def test_appended_garbage_never_raises_and_keeps_prefix_rows(rows: list[dict], junk: str) -> None:
    text = ablator_dump(rows)
    parsed = parse_results(text[:-1] + junk)
    assert same(parsed.rows, rows[: len(parsed.rows)])
