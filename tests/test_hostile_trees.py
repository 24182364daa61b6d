"""Generated odd experiment trees: whatever the files hold, good trials are ingested, bad
files are recorded, nothing is written outside the database's folder, and no traceback.

Each tree has three good trials beside one to four odd trial folders (random names) whose
files are random bytes, odd YAML or JSON, over-long integers, byte-order marks, non-UTF-8
text, FIFOs, symlinks, empty files, deep nesting or folders; the master config and a state
db may be odd too.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import tempfile
from contextlib import closing, redirect_stderr
from datetime import timedelta
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from ablation_sql.cli import main
from ablation_sql.ingest.state_db import state_blob

from .hostile import GOOD, MASTER, build_experiment, errors_of, good_trials_ingested

TRIAL_FILES = ("config.yaml", "results.json", "metadata.json")
# Kinds of file content that can never be read in full: each must leave an ingest_errors row.
SURELY_BAD = {"empty", "not_utf8", "fifo", "folder", "symlink_loop", "deep", "huge_int"}
MAX_SECONDS = 60  # one tree's ingest; a hang fails the example instead of the whole run

values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=20)
    | st.integers(min_value=-(2**70), max_value=2**70),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)


# (kind, payload) of one file
contents = st.one_of(
    st.sampled_from(["absent", "empty", "fifo", "folder", "symlink_good", "symlink_broken",
                     "symlink_loop"]).map(lambda kind: (kind, None)),
    st.tuples(st.just("bytes"), st.binary(max_size=200)),
    st.tuples(st.sampled_from(["json", "yaml", "bom"]), values),
    st.tuples(st.just("not_utf8"), st.binary(max_size=50)),
    st.tuples(st.just("huge_int"), st.integers(min_value=4301, max_value=6000)),
    st.tuples(st.just("deep"), st.integers(min_value=2000, max_value=20_000)),
)


def write_file(path: Path, kind: str, payload: object, good_file: Path) -> None:
    if kind == "absent":
        return
    if kind == "bytes":
        path.write_bytes(payload)
    elif kind == "json":
        path.write_text(json.dumps(payload))
    elif kind == "yaml":
        path.write_text(yaml.safe_dump(payload))
    elif kind == "bom":
        path.write_bytes(b"\xef\xbb\xbf" + json.dumps(payload).encode())
    elif kind == "not_utf8":
        path.write_bytes(b"a: \xff\xfe" + payload)
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "huge_int":
        digits = "7" * payload
        path.write_text(f'[{{"x": {digits}}}]' if path.suffix == ".json" else f"x: {digits}\n")
    elif kind == "deep":
        path.write_text("[" * payload + "]" * payload)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink_good":
        path.symlink_to(good_file)
    elif kind == "symlink_broken":
        path.symlink_to(path.parent / "nowhere" / path.name)
    elif kind == "symlink_loop":
        path.symlink_to(path)


trial_names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"),
    min_size=1, max_size=30,
).map(lambda s: f"odd_{s}").filter(lambda s: len(s.encode()) < 200)

odd_trials = st.dictionaries(trial_names, st.tuples(contents, contents, contents),
                             min_size=1, max_size=4)

masters = st.one_of(
    st.just(None),
    st.tuples(st.sampled_from(["total_trials", "random_seed", "optim_metrics",
                               "search_space", "search_algo"]), values),
    st.tuples(st.just("total_trials"), st.integers(min_value=2**31, max_value=2**80)),
)

state_rows = st.none() | st.lists(
    st.tuples(st.sampled_from(["1_aa", "2_bb", "3_cc", "odd", ""]),
              st.one_of(st.none(), st.binary(max_size=60),
                        st.integers(0, 9).map(lambda c: state_blob(c) if c < 9 else b"\x80")),
              st.integers(min_value=-(2**63), max_value=2**63 - 1)),
    max_size=8,
)

RUNS = {"trees": 0}


def _tree(root: Path) -> dict[str, tuple[int, int] | str]:
    """Every entry under root (not followed), with its size and mtime."""
    found: dict[str, tuple[int, int] | str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.join(folder, name)
            st_ = os.lstat(path)
            found[os.path.relpath(path, root)] = (st_.st_size, st_.st_mtime_ns)
    return found


def _alarm(signum, frame) -> None:
    raise TimeoutError(f"an ingest took longer than {MAX_SECONDS} s")


@pytest.mark.slow
@settings(max_examples=40, deadline=timedelta(seconds=MAX_SECONDS), derandomize=True,
          phases=[Phase.explicit, Phase.generate, Phase.shrink],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(odd=odd_trials, master=masters, state=state_rows)
def test_odd_experiment_trees(odd, master, state) -> None:
    RUNS["trees"] += 1
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        root = Path(tmp)
        exp = build_experiment(root / "exp", bad=False)
        if master is not None:
            key, value = master
            data = yaml.safe_load(MASTER) | {key: value}
            (exp / "master_config.yaml").write_text(yaml.safe_dump(data))
        if state is not None:
            with closing(sqlite3.connect(exp / "exp_state.db")) as con:
                con.execute("CREATE TABLE trial (config_uid, state, runtime_errors)")
                con.executemany("INSERT INTO trial VALUES (?, ?, ?)", state)
                con.commit()
        expect_bad: set[tuple[str, str]] = set()
        for name, files in odd.items():
            folder = exp / name
            folder.mkdir()
            for file_name, (kind, payload) in zip(TRIAL_FILES, files, strict=True):
                write_file(folder / file_name, kind, payload, exp / GOOD[0] / file_name)
                if kind in SURELY_BAD:
                    expect_bad.add((name, file_name))
        is_trial = {name for name, files in odd.items()
                    if any(kind != "absent" for kind, _ in files[:2])}
        before = _tree(root)
        (root / "out").mkdir()
        db = root / "out" / "a.duckdb"

        old = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(MAX_SECONDS)
        err = io.StringIO()
        try:
            with redirect_stderr(err):
                code = main(["ingest", str(exp), "--db", str(db), "--workers", "1", "--quiet"])
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)
        assert code == 0
        assert err.getvalue() == ""  # --quiet: not a word, let alone a traceback

        after = _tree(root)
        assert {k: v for k, v in after.items() if k.split(os.sep)[0] != "out"} == before
        assert {p.name for p in (root / "out").iterdir()} <= {"a.duckdb", "a.duckdb.wal",
                                                               "a.duckdb.ingest-stamp"}
        good_trials_ingested(db)
        errors = errors_of(db)
        recorded = {(uid, Path(path).name) for uid, path, _ in errors}
        for name, file_name in expect_bad:
            if name in is_trial:
                assert (name, file_name) in recorded, (name, file_name, errors)
        with duckdb.connect(str(db), read_only=True) as con:
            uids = {uid for (uid,) in con.execute("SELECT trial_uid FROM trials").fetchall()}
        assert uids == set(GOOD) | is_trial


@pytest.mark.slow
def test_the_generator_ran() -> None:
    """Runs after the property (file order): it generated the trees it was asked for."""
    assert RUNS["trees"] >= 40
