"""A config put together entry by entry (nested entries too) equals the whole config read at
once: its JSON and its params rows, or None where it cannot be sure; never a value where the
whole text is refused."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ablation_sql.ingest.config_entries import config_rows
from ablation_sql.ingest.files import FileProblem
from ablation_sql.ingest.flatten import flatten, param_row, to_json
from ablation_sql.ingest.yaml_config import parse_config

from .conftest import REAL_EXPERIMENT


def whole(text: str, keep_whole: frozenset[str]) -> tuple[str, list[tuple]] | None:
    """The config's JSON and params rows as the whole text gives them (None: refused)."""
    try:
        config = parse_config(text)
    except FileProblem:
        return None
    return to_json(config), [(n, *param_row(v)) for n, v in flatten(config, keep_whole)]


def by_entries(text: str, keep_whole: frozenset[str]) -> tuple[str, list[tuple]] | None:
    found = config_rows(text, keep_whole)
    if found is None:
        return None
    config_json, entries = found
    return config_json, [row for columns in entries for row in zip(*columns, strict=True)]


def check(text: str, keep_whole: frozenset[str] = frozenset()) -> bool:
    """Equal to the whole when taken; returns whether it was taken."""
    expected, got = whole(text, keep_whole), by_entries(text, keep_whole)
    assert got is None or got == expected, text
    return got is not None


plain = st.from_regex(r"[a-z_][a-z0-9_.]{0,6}", fullmatch=True)
scalars = st.one_of(st.integers(), st.floats(), st.booleans(), st.none(), plain, plain,
                    st.sampled_from(["yes", "null", "1e3", "0x1F", "~", "2020-01-02", ".nan",
                                     "-.inf", "a b", "é", "'q'", "x: y", "#", ""]))
keys = st.one_of(plain, plain, plain, st.sampled_from(["null", "true", "yes", "On", "x-y", "1",
                                                       "a b", ""]))
trees = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=3), st.dictionaries(plain, inner, min_size=1, max_size=4),
    st.dictionaries(keys, inner, max_size=4)), max_leaves=20)
# lines to slip in at random places: comments, blank lines, wrong indentation, a repeated key
extras = st.sampled_from(["", "  ", "# note", "  # note", " x: 1", "  - 1", "-", "a:", "   ",
                          "a: 1", "  a: 2", "    b: 3", "'", "x: 'y"])


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(plain, trees, min_size=1, max_size=6), st.integers(1, 4),
       st.lists(st.tuples(st.integers(0, 200), extras), max_size=3), st.data())
def test_entries_equal_the_whole_config(tree: dict, indent: int, inserts: list, data) -> None:
    text = yaml.safe_dump(tree, sort_keys=False, default_flow_style=False, indent=indent,
                          allow_unicode=True)
    lines = text.split("\n")
    for at, line in inserts:
        lines.insert(at % (len(lines) + 1), line)
    names = [n for n, _ in flatten(tree)] + [str(k) for k in tree]
    keep = frozenset(data.draw(st.lists(st.sampled_from(names), max_size=2)) if names else [])
    check("\n".join(lines), keep)


def test_plain_layouts_are_taken_and_equal() -> None:
    for text in [
        "a:\n  b: 1\n  c:\n  - 1\n  - 2\n  d:\n    e: x\nf: 2\n",
        "a:\n    b: 1\n    c:\n        d: 2\n",
        "null:\n  true: 1\n  x: ~\n",
        "a:\n  b: 1\n\n  c: 2\n",  # a blank line inside: read as a whole entry
        "a:\n  b: hello\n    world\n  c: 2\n",
    ]:
        assert check(text, frozenset({"a", "a.c"})), text
    master = (REAL_EXPERIMENT / "master_config.yaml").read_text()
    assert check(master, frozenset({"search_space"}))


def test_what_the_whole_refuses_is_never_taken() -> None:
    for text in ["a:\n  b: 1\n c: 2\n", "a:\n  b: 1\n  b: 2\n", "a:\n  b: 1\n  - 2\n",
                 "a:\n  b: 1\n   c: 2\n", "a:\n  b: 1\nb: 2\na: 3\n", "a:\n  b: c: d\n",
                 "a:\n  b: .nan\n", "a:\n  b: 2020-01-02\n", "a:\n  yes: 1\n  true: 2\n"]:
        check(text)
