"""The effects analysis reads every policy of a metric in one statement (best and last from the
cache, mean_last from the metric rows): the values are trial_metric's, cached or not."""

from __future__ import annotations

import math

import pytest

import ablation_sql as asql
from ablation_sql.effects.data import POLICIES, load_policies

from .conftest import REAL_EXPERIMENT
from .support import Synthetic


@pytest.fixture(scope="module")
def dbs(synthetic: Synthetic) -> dict[str, asql.Database]:
    folder, _ = synthetic("policies", trials=40, epochs=6, failed=4, running=3,
                          seed=3)
    out = {}
    for name, source in (("synthetic", folder), ("real", REAL_EXPERIMENT)):
        out[name] = asql.connect()
        out[name].ingest(source, workers=1)
    return out


def _macro(db: asql.Database, metric: str, policy: str, k: int, direction: str
           ) -> dict[str, float]:
    rows = db.sql("SELECT trial_uid, value FROM trial_metric($m, reduction := $p, k := $k, "
                  "direction := $d)", params={"m": metric, "p": policy, "k": k, "d": direction})
    return {uid: (math.nan if value is None else float(value)) for uid, value in
            rows.itertuples(index=False)}


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


@pytest.mark.parametrize("name", ["synthetic", "real"])
@pytest.mark.parametrize("k", [1, 3, 5])
def test_every_policy_at_once_equals_trial_metric(dbs, name: str, k: int) -> None:
    db = dbs[name]
    optimised = db.sql("SELECT metric, direction FROM optim_metrics").itertuples(index=False)
    for metric, direction in optimised:
        for chosen in (direction, "min" if direction == "max" else "max"):  # cached, then not
            read = load_policies(db, metric, list(POLICIES), k=k, direction=chosen)
            for policy in POLICIES:
                frame = read[policy].frame
                expected = _macro(db, metric, policy, k, chosen)
                assert len(frame) == len(expected) and frame["value"].notna().any()
                assert all(_same(v, expected[u]) for u, v in
                           zip(frame["trial_uid"], frame["value"], strict=True)), \
                    (name, metric, chosen, policy, k)
