"""The attribute_quantile_levels macro against a plain Python binning of the same values:
log attributes (all values above 0, and one with a 0, binned linearly), ties that merge
edges, few distinct values, a categorical attribute with a category it does not declare."""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import pytest

import ablation_sql as asql

from .support import write_experiment

SPACE = {
    "lr": {"value_range": ["0.0001", "1"], "value_type": "float", "log": True},
    "lr0": {"value_range": ["0.0001", "1"], "value_type": "float", "log": True},
    "tied": {"value_range": ["0", "100"], "value_type": "int"},
    "few": {"value_range": ["1", "3"], "value_type": "int"},
    "color": {"categorical_values": ["red", "green"]},
}


def _values(i: int, rng: np.random.Generator) -> dict:
    return {"lr": float(10 ** rng.uniform(-4, 0)),
            "lr0": 0.0 if i == 3 else float(10 ** rng.uniform(-4, 0)),
            "tied": 5 if i % 5 else int(rng.integers(0, 100)),
            "few": 1 + i % 3,
            "color": ["red", "green", "blue"][i % 3]}


@pytest.fixture(scope="module")
def levels(tmp_path_factory) -> Iterator[tuple[asql.Database, dict[str, dict]]]:
    root = tmp_path_factory.mktemp("quantile_levels")
    rng = np.random.default_rng(3)
    configs = {f"t{i:02d}": _values(i, rng) for i in range(37)}
    write_experiment(root / "exp", {"optim_metrics": {"loss": "min"}, "search_space": SPACE,
                                    "search_algo": "random"},
                     {uid: (config, [{"loss": 1.0}]) for uid, config in configs.items()})
    with asql.connect(root / "db.duckdb") as db:
        db.ingest(root / "exp", workers=1)
        yield db, configs


def _expected(values: list[float], log: bool, bins: int) -> list[tuple[str, float]]:
    """Each value's (level, level_order), binned as the macro documents it."""
    logged = log and min(values) > 0
    t = [math.log10(v) if logged else v for v in values]
    shown = [(lambda e: 10 ** e) if logged else (lambda e: e)][0]
    if len(set(t)) <= bins:
        return [(f"{shown(v):.4g}", v) for v in t]
    s, n = sorted(t), len(t)
    edges = []
    for i in range(bins + 1):
        h = i * (n - 1) / bins
        k = math.floor(h)
        edges.append(s[k] + (h - k) * (s[min(k + 1, n - 1)] - s[k]))
    e = sorted(set(edges))
    out = []
    for v in t:
        b = sum(c <= v for c in e[1:-1])
        close = "]" if b == len(e) - 2 else ")"
        out.append((f"[{shown(e[b]):.4g}, {shown(e[b + 1]):.4g}{close}", float(b)))
    return out


@pytest.mark.parametrize("bins", [1, 2, 3, 4, 7])
def test_quantile_levels_match_python(levels, bins: int) -> None:
    db, configs = levels
    rows = db.con.execute("SELECT trial_uid, attribute, level, level_order "
                          "FROM attribute_quantile_levels(bins := $bins)",
                          {"bins": bins}).fetchall()
    got = {(uid.rsplit("/", 1)[-1], a): (level, order) for uid, a, level, order in rows}
    uids = sorted(configs)
    assert len(got) == len(rows) == len(uids) * len(SPACE)
    for name in ("lr", "lr0", "tied", "few"):
        expected = _expected([configs[u][name] for u in uids], name.startswith("lr"), bins)
        found = [got[(u, name)] for u in uids]
        assert [level for level, _ in found] == [level for level, _ in expected], name
        np.testing.assert_allclose([o for _, o in found], [o for _, o in expected],
                                   rtol=1e-12, err_msg=name)
    assert len({got[(u, "lr")][0] for u in uids}) == bins  # distinct values: every bin used
    assert got[("t03", "lr0")][0].startswith("[0, ")  # a 0: binned on the values, not log10
    colors = {configs[u]["color"]: got[(u, "color")] for u in uids}
    assert colors == {"red": ("red", 1.0), "green": ("green", 2.0), "blue": ("blue", 1e6)}
