"""Config YAML, flattening, search space and state db decoding."""

from __future__ import annotations

import math
import pickle
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ablation_sql.ingest.files import FileProblem, read_text
from ablation_sql.ingest.flatten import flatten, param_row
from ablation_sql.ingest.search_space import optim_metrics, search_space_rows, subspace_attributes
from ablation_sql.ingest.state_db import decode_state, read_state_db, state_blob
from ablation_sql.ingest.yaml_config import load_config, parse_config
from ablation_sql.ingest.yaml_entries import parse_entries

from .conftest import REAL_EXPERIMENT

ALIAS_BOMB = """
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]
"""


def test_yaml_refuses_alias_bombs_and_unsafe_tags() -> None:
    with pytest.raises(FileProblem, match="alias"):
        parse_config(ALIAS_BOMB)
    with pytest.raises(FileProblem, match="not valid YAML"):
        parse_config("x: !!python/object/apply:os.system ['echo pwned']")


def test_yaml_errors_name_the_line() -> None:
    with pytest.raises(FileProblem, match="line 2, column 5: mapping values"):
        parse_config("a: 1\nb: c: d\n")
    with pytest.raises(FileProblem, match="does not hold a mapping"):
        parse_config("- 1\n- 2\n")


def test_read_text_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_bytes(b"")
    (tmp_path / "bad.yaml").write_bytes(b"a: \xff\xfe")
    with pytest.raises(FileProblem, match="empty"):
        read_text(tmp_path / "empty.yaml")
    with pytest.raises(FileProblem, match=r"not UTF-8 text \(byte 0xff at offset 3\)"):
        read_text(tmp_path / "bad.yaml")
    with pytest.raises(FileProblem, match="missing"):
        read_text(tmp_path / "nope.yaml")
    (tmp_path / "big.yaml").write_bytes(b"a: 1\n" * 100)
    with pytest.raises(FileProblem, match="larger than"):
        read_text(tmp_path / "big.yaml", max_bytes=2**20 // 2**20)


def test_flatten_keeps_lists_and_subspace_mappings() -> None:
    config = {"a": {"b": {"c": 1, "d": [0.9, 0.999]}, "e": {}}, "f": None}
    assert list(flatten(config)) == [("a.b.c", 1), ("a.b.d", [0.9, 0.999]), ("a.e", {}),
                                     ("f", None)]
    whole = list(flatten(config, frozenset({"a.b"})))
    assert whole[0] == ("a.b", {"c": 1, "d": [0.9, 0.999]}) and ("a.b.c", 1) in whole


def test_param_row_types() -> None:
    assert param_row(3) == ("3", 3.0, None, "int")
    assert param_row(True) == ("true", None, None, "bool")
    assert param_row("relu") == ('"relu"', None, "relu", "str")
    assert param_row(None) == ("null", None, None, "null")
    assert param_row([1, 2]) == ("[1,2]", None, None, "list")
    as_json, double, _, kind = param_row(float("inf"))
    assert as_json == "null" and double == math.inf and kind == "float"
    assert param_row(float("nan"))[1] is None


@given(st.recursive(
    st.one_of(st.integers(), st.floats(allow_nan=False), st.text(max_size=5), st.none()),
    lambda inner: st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=4),
    max_leaves=20,
))
def test_flatten_leaf_count(tree) -> None:
    if not isinstance(tree, dict):
        tree = {"x": tree}

    def leaves(node) -> int:
        if isinstance(node, dict) and node:
            return sum(leaves(v) for v in node.values())
        return 1

    assert len(list(flatten(tree))) == sum(leaves(v) for v in tree.values())


def test_search_space_of_the_fixture() -> None:
    master = load_config(REAL_EXPERIMENT / "master_config.yaml")
    rows = {r.name: r for r in search_space_rows(master)}
    assert list(rows) == ["model_config.num_filter1", "model_config.num_filter2",
                          "train_config.optimizer_config.arguments.lr",
                          "model_config.activation"]
    lr = rows["train_config.optimizer_config.arguments.lr"]
    assert (lr.kind, lr.value_type, lr.low, lr.high, lr.log) == ("numerical", "float", 0.001,
                                                                 0.01, False)
    assert rows["model_config.activation"].categories == '["relu","elu","leakyRelu"]'
    assert optim_metrics(master) == [("val_loss", "min")]


def test_subspaces_and_nested_search_spaces() -> None:
    master = {"search_space": {"train_config.optimizer_config": {"subspaces": [
        {"sub_configuration": {"name": "sgd", "arguments": {"lr": {
            "value_range": ["0.01", "0.1"], "value_type": "float", "log": True}}}},
        {"sub_configuration": {"name": "adam", "arguments": {"lr": 0.001}}},
    ]}}, "optim_metrics": {"val_loss": "min", "acc": "Optim.max", "odd": "sideways"}}
    rows = search_space_rows(master)
    assert [(r.name, r.kind, r.parent) for r in rows] == [
        ("train_config.optimizer_config", "subspace", None),
        ("train_config.optimizer_config.arguments.lr", "numerical",
         "train_config.optimizer_config"),
    ]
    assert rows[1].low == 0.01 and rows[1].log is True
    assert subspace_attributes(master) == frozenset({"train_config.optimizer_config"})
    assert optim_metrics(master) == [("val_loss", "min"), ("acc", "max")]


def test_decode_state_reads_the_opcode_without_unpickling() -> None:
    assert [decode_state(state_blob(c)) for c in (0, 1, 3, 8)] == [0, 1, 3, 8]
    # Same opcodes, other framing: still decoded by walking the opcodes.
    assert decode_state(b"\x80\x04\x8c\x18ablator.main.state.store\x94\x8c\nTrialState\x94"
                        b"\x93\x94K\x02\x85\x94R\x94.") == 2
    assert decode_state(b"cablator.main.state.store\nTrialState\nK\x03\x85R.") == 3
    # Anything else is not decoded: other classes, unknown codes, garbage, a dangerous pickle.
    assert decode_state(pickle.dumps(3)) is None
    assert decode_state(state_blob(42)) is None
    assert decode_state(b"garbage") is None
    assert decode_state(b"cos\nsystem\n(S'echo pwned'\ntR.") is None


def test_read_state_db_fixture_and_ambiguity(tmp_path: Path) -> None:
    states = read_state_db(sorted(REAL_EXPERIMENT.glob("*_state.db")))
    assert len(states.states) == 24 and states.problems == []
    assert {states.state_of(uid) for uid in states.states} == {1}

    db = tmp_path / "x_state.db"
    with closing(sqlite3.connect(db)) as con:
        con.execute("CREATE TABLE trial (config_uid VARCHAR, state BLOB, runtime_errors INT)")
        con.executemany("INSERT INTO trial VALUES (?, ?, ?)", [
            ("aaaa_bbbb", state_blob(1), 0), ("aaaa_bbbb", state_blob(1), 0),  # agree: complete
            ("cccc_dddd", state_blob(1), 0), ("cccc_dddd", state_blob(3), 2),  # disagree: ambiguous
            ("eeee_ffff", b"junk", 0),
        ])
        con.commit()
    states = read_state_db([db, tmp_path / "garbage_state.db"])
    assert states.state_of("aaaa_bbbb") == 1
    assert states.state_of("cccc_dddd") is None
    assert states.state_of("eeee_ffff") is None
    reasons = [reason for _, reason in states.problems]
    assert any("could not be decoded" in r for r in reasons)


yaml_scalars = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
                         st.text(max_size=12))
yaml_trees = st.recursive(
    yaml_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=4)),
    max_leaves=15,
)


@given(st.dictionaries(st.text(min_size=1, max_size=10), yaml_trees, min_size=1, max_size=6),
       st.booleans())
def test_entry_by_entry_parsing_equals_whole_parsing(tree: dict, flow: bool) -> None:
    text = yaml.safe_dump(tree, sort_keys=False, default_flow_style=flow, allow_unicode=True)
    by_entries = parse_entries(text)
    assert by_entries is None or by_entries == yaml.load(text, Loader=yaml.CSafeLoader)


def test_entry_parsing_takes_plain_configs_and_refuses_the_rest() -> None:
    master = (REAL_EXPERIMENT / "master_config.yaml").read_text()
    assert parse_entries(master) == yaml.safe_load(master)
    for text in ["a: &x [1]\nb: *x\n", "a: 'multi\nline'\n", 'a: "x"\n', "a: |\n  text\n",
                 "- 1\n- 2\n", "%YAML 1.1\n---\na: 1\n", "a: !!str 1\n", "1: x\n",
                 "  a: 1\nb: 2\n", "a: {b: 1}\n"]:
        assert parse_entries(text) is None, text
