"""Configurations run once take the short way through ``configuration_table``: their rows are
those the per-configuration statistics give (the value as mean and IQM, no interval)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ablation_sql.effects.repeats import RepeatData, configuration_table


def _data(values: dict[str, list[float]]) -> RepeatData:
    rows = [("e", f"{key}-{i}", key, "s", f'{{"x": {j}}}', i, "complete", v, None)
            for j, (key, vs) in enumerate(values.items()) for i, v in enumerate(vs)]
    frame = pd.DataFrame(rows, columns=["experiment_id", "trial_uid", "configuration",
                                        "search_space", "attributes", "seed", "status",
                                        "value", "reason"])
    return RepeatData("m", "max", "best", 5, frame, frozenset({"b"}))


def test_single_trials_mix_with_repeated_configurations_in_order():
    data = _data({"d": [0.5], "a": [0.1, 0.3, 0.2], "c": [0.9], "b": [0.4, 0.6]})
    table = configuration_table(data, min_seeds=2, n_boot=50)
    assert list(table["configuration"]) == ["c", "b", "d", "a"]  # best mean first
    single = table.set_index("configuration").loc[["c", "d"]]
    assert list(single["mean"]) == [0.9, 0.5] and list(single["iqm"]) == [0.9, 0.5]
    assert single[["ci_low", "ci_high", "sd", "iqm_low", "iqm_high"]].isna().all().all()
    assert list(single["n"]) == [1, 1] and list(single["seeds"]) == [1, 1]
    assert list(table["rank"].astype(object)) == [pd.NA, 1, pd.NA, 2]
    assert list(table["note"]) == ["leads on 1 seed", "best", "1 seed: not ranked", ""]
    assert table.set_index("configuration")["baseline"].to_dict() == {
        "c": False, "b": True, "d": False, "a": False}
    repeated = table.set_index("configuration").loc["a"]
    assert math.isclose(repeated["mean"], 0.2) and repeated["ci_low"] < 0.2 < repeated["ci_high"]


def test_only_single_trials_give_one_row_each_with_numpy_types():
    data = _data({f"k{i}": [float(v)] for i, v in enumerate(np.linspace(0, 1, 7))})
    table = configuration_table(data)
    assert len(table) == 7 and table["n"].dtype.kind == "i" and table["mean"].dtype.kind == "f"
    assert list(table["mean"]) == sorted(table["mean"], reverse=True)
    assert table["rank"].isna().all()
