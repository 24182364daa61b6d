"""The Results API against what ABLATOR returned for the real fixture, and against ABLATOR's own
reading (pandas) on a hand-made experiment with lists, dotted keys and mixed types."""

from __future__ import annotations

import json
import logging
import math
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from ablation_sql import ModelConfig, Optim, ParallelConfig, Results, configclass
from ablation_sql.synthetic import generate_experiment

from .ablator_reference import ablator_flatten
from .conftest import EXPECTED, REAL_EXPERIMENT, copy_tree

META = EXPECTED / "tutorial-tpe.meta.json"
READ_RESULTS = EXPECTED / "tutorial-tpe.read_results.json"


@configclass
class CustomModelConfig(ModelConfig):
    num_filter1: int
    num_filter2: int
    activation: str


@configclass
class CustomParallelConfig(ParallelConfig):
    model_config: CustomModelConfig


def _expected() -> tuple[dict, pd.DataFrame]:
    """ABLATOR's meta.json and its read_results frame (NaN and infinities are None there)."""
    meta = json.loads(META.read_text())
    split = json.loads(READ_RESULTS.read_text())
    index = pd.MultiIndex.from_tuples([tuple(i) for i in split["index"]],
                                      names=["trial_uid", "step"])
    frame = pd.DataFrame(split["data"], index=index, columns=split["columns"], dtype=object)
    return meta, frame


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _same(ours: Any, theirs: Any) -> bool:
    """Equal values of one type; None, NaN and NaT alike, and an infinity where ABLATOR's JSON
    has null; floats to 12 digits (pandas.read_json parses floats imprecisely); dates against
    the epoch milliseconds to_json wrote."""
    if _missing(theirs):
        return _missing(ours) or (theirs is None and isinstance(ours, float) and math.isinf(ours))
    if isinstance(ours, pd.Timestamp) and not isinstance(theirs, pd.Timestamp):
        return abs(ours.value / 1e6 - theirs) < 1
    if isinstance(ours, float) or isinstance(theirs, float):
        return (isinstance(ours, float | int) and not isinstance(ours, bool)
                and math.isclose(ours, theirs, rel_tol=1e-12))
    return type(ours) is type(theirs) and ours == theirs


def _differences(ours: pd.DataFrame, theirs: pd.DataFrame) -> list[str]:
    diffs = []
    for column in theirs.columns:
        for key, a, b in zip(theirs.index, ours[column], theirs[column], strict=True):
            if not _same(a, b):
                diffs.append(f"{key} {column}: {a!r} != {b!r}")
    return diffs


@pytest.fixture(scope="module")
def fixture_results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    if not REAL_EXPERIMENT.is_dir() or not META.is_file():
        pytest.skip("real ABLATOR fixture missing")
    folder = copy_tree(REAL_EXPERIMENT, tmp_path_factory.mktemp("real") / "tutorial-tpe")
    return Results(CustomParallelConfig, experiment_dir=folder, use_ray=True)


def test_frame_equals_ablators(fixture_results: Results) -> None:
    meta, expected = _expected()
    df = fixture_results.read_results(config_type=CustomParallelConfig,
                                      experiment_dir=fixture_results.experiment_dir)
    assert list(df.index.names) == meta["index"]
    assert list(df.columns) == meta["columns"]
    assert df.shape == tuple(meta["shape"])
    assert df.index.equals(expected.index)
    assert _differences(df, expected) == []


def test_dtypes_as_ablators(fixture_results: Results) -> None:
    _, expected = _expected()
    df = fixture_results.data
    for column in expected.columns.drop("timestamp"):
        values = set(map(type, expected[column]))
        if values == {int}:
            assert df[column].dtype == np.int64, column
        elif values == {bool}:
            assert df[column].dtype == bool, column
        elif values == {type(None)}:
            assert df[column].dtype == object and df[column].isna().all(), column
        elif values <= {float, int}:
            assert df[column].dtype == np.float64, column
    assert df["timestamp"].dtype == "datetime64[ns]"  # as pandas.read_json parsed it for ABLATOR
    assert df.index.get_level_values("step").dtype == np.int64


def test_attributes(fixture_results: Results) -> None:
    meta, _ = _expected()
    results = fixture_results
    assert {k: str(v) for k, v in results.metric_map.items()} == meta["metric_map"]
    assert results.metric_map == {"val_loss": Optim.min}
    assert results.metric_names == ["val_loss"]
    assert results.numerical_attributes == meta["numerical_attributes"]
    assert results.categorical_attributes == meta["categorical_attributes"]
    master = yaml.safe_load((results.experiment_dir / "master_config.yaml").read_text())
    assert results.search_space == master["search_space"]
    assert list(results.search_space) == list(master["search_space"])
    assert results.config_attrs == meta["columns"][:meta["columns"].index("val_loss")]
    status = results.trial_status
    assert len(status) == 24 and status["included"].all()
    assert set(status["status"]) == {"complete"}


def test_read_results_returns_a_copy(fixture_results: Results) -> None:
    df = fixture_results.read_results(CustomParallelConfig, fixture_results.experiment_dir)
    df.iloc[0, 0] = "changed"
    assert fixture_results.data.iloc[0, 0] != "changed"
    again = fixture_results.read_results(CustomParallelConfig, fixture_results.experiment_dir)
    df.iloc[1, 0] = "changed too"
    df["added"] = 1
    assert again.iloc[1, 0] != "changed too" and "added" not in again
    assert fixture_results.data.iloc[1, 0] != "changed too" and "added" not in fixture_results.data


def test_read_results_on_the_class(fixture_results: Results) -> None:
    df = Results.read_results(config_type=CustomParallelConfig,
                              experiment_dir=str(fixture_results.experiment_dir), num_cpus=1)
    pd.testing.assert_frame_equal(df, fixture_results.data)


def test_config_class_is_checked(real_experiment: Path) -> None:
    class NotAParallelConfig:
        pass

    with pytest.raises(ValueError, match="ParallelConfig"):
        Results(NotAParallelConfig, real_experiment)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        configclass(NotAParallelConfig)


def test_configclass_makes_keyword_dataclasses() -> None:
    model = CustomModelConfig(num_filter1=1, num_filter2=2, activation="relu")
    config = CustomParallelConfig(model_config=model)
    assert config.model_config.activation == "relu"
    assert str(Optim.max) == "Optim.max" and Optim("min") is Optim.min


# -- errors, imbalance, read-only --------------------------------------------------------------


def test_missing_master_config(real_experiment: Path) -> None:
    (real_experiment / "master_config.yaml").unlink()
    with pytest.raises(FileNotFoundError, match="master_config.yaml"):
        Results(CustomParallelConfig, real_experiment)
    with pytest.raises(FileNotFoundError):
        Results(CustomParallelConfig, real_experiment / "nowhere")


def test_no_results(tmp_path: Path, real_experiment: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    shutil.copy(real_experiment / "master_config.yaml", empty)
    with pytest.raises(RuntimeError, match="No results"):
        Results(CustomParallelConfig, empty)
    for results_json in real_experiment.glob("*/results.json"):
        results_json.write_text("[]")
    with pytest.raises(RuntimeError, match="No results"):
        Results(CustomParallelConfig, real_experiment)


def test_imbalanced_categorical_warning(real_experiment: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    trials = sorted(p.parent for p in real_experiment.glob("*/config.yaml"))
    for i, trial in enumerate(trials):
        config = trial / "config.yaml"
        value = "relu" if i == 0 else "elu"
        config.write_text(re.sub(r"(?m)^  activation: .*$", f"  activation: {value}",
                                 config.read_text()))
    with caplog.at_level(logging.WARNING):
        Results(CustomParallelConfig, real_experiment)
    assert [r.getMessage() for r in caplog.records if "Imbalanced" in r.getMessage()] == [
        "Imbalanced trials for attr model_config.activation and values: ['elu' 'relu'] "
        "with counts [69  3]."]


def test_balanced_fixture_does_not_warn(real_experiment: Path,
                                        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        Results(CustomParallelConfig, real_experiment)
    assert not [r for r in caplog.records if "Imbalanced" in r.getMessage()]


def _listing(root: Path) -> dict[str, tuple[int, int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_mode, p.stat().st_size, p.stat().st_mtime_ns)
            for p in [root, *root.rglob("*")]}


def test_never_writes_into_the_folder(real_experiment: Path) -> None:
    before = _listing(real_experiment)
    paths = [real_experiment, *real_experiment.rglob("*")]
    try:
        for path in paths:
            path.chmod(0o555 if path.is_dir() else 0o444)
        read_only = _listing(real_experiment)
        results = Results(CustomParallelConfig, real_experiment, cache=True, use_ray=True)
        results.read_results(CustomParallelConfig, real_experiment)
        assert _listing(real_experiment) == read_only
    finally:
        for path in paths:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert {k: v[1:] for k, v in _listing(real_experiment).items()} == {
        k: v[1:] for k, v in before.items()}
    assert len(results.data) == 72


# -- many trials, every kind of trial ----------------------------------------------------------


@pytest.mark.slow
def test_thousands_of_trials_with_and_without_dask(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    generate_experiment(folder, trials=2100, epochs=2, seed=3, running=3, failed=4, broken=6)
    with_dask = Results(CustomParallelConfig, folder, use_ray=True)
    alone = Results(CustomParallelConfig, folder, use_ray=False)
    pd.testing.assert_frame_equal(with_dask.data, alone.data)
    status = alone.trial_status
    assert len(status) == 2100
    included = status[status["included"]]
    assert len(alone.data) == included["n_steps"].sum()
    assert set(alone.data.index.get_level_values("trial_uid")) == set(included.index)
    assert {"failed", "running"} <= set(included["status"])  # their rows are kept
    assert not status["included"].all()  # unreadable config or no complete row
    assert alone.metric_map == {"val_loss": Optim.min, "val_accuracy": Optim.max}


# -- a hand-made experiment against ABLATOR's own reading ----------------------------------------


def _write_trial(folder: Path, config: dict | None, rows: list[dict] | None,
                 cut: bool = False) -> None:
    folder.mkdir(parents=True)
    if config is not None:
        (folder / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    if rows is not None:
        text = json.dumps(rows, indent=0)
        (folder / "results.json").write_text(text[:-30] if cut else text)


def _config(args: dict, width: int, act: str, extra: Any, tags: list[str]) -> dict:
    return {
        "experiment_dir": "/x",
        "random_seed": 1,
        "train_config": {"epochs": 2, "optimizer_config": {"name": "opt", "arguments": args},
                         "scheduler_config": None},
        "model_config": {"width": width, "act": act, "extra": extra, "tags": tags,
                         "empty": {}},
        "optim_metrics": {"val_loss": "min", "acc": "max"},
        "search_space": {
            "model_config.width": {"value_range": ["4", "16"], "categorical_values": None,
                                   "subspaces": None, "value_type": "int", "log": False},
            "model_config.act": {"value_range": None, "categorical_values": ["relu", "elu"],
                                 "subspaces": None, "value_type": None, "log": False},
            "train_config.optimizer_config": {
                "value_range": None, "categorical_values": None, "value_type": None,
                "subspaces": [
                    {"sub_configuration": {"name": "sgd", "arguments": {"lr": 0.1}}},
                    {"sub_configuration": {"name": "adam", "arguments": {
                        "lr": {"value_range": ["0.001", "0.01"], "value_type": "float"}}}}],
                "log": False},
        },
        "search_algo": "random",
    }


@pytest.fixture
def handmade(tmp_path: Path) -> Path:
    folder = tmp_path / "handmade"
    sgd = _config({"lr": 0.1, "momentum": 0.9}, 8, "relu", None, ["x", "y"])
    adam = _config({"lr": 0.01, "betas": [0.9, 0.999], "weight_decay": 0}, 12, "elu", 3, ["x"])
    _write_trial(folder / "aaaa_0000_0001", sgd, [
        {"val_loss": 1.0, "acc": 0.5, "timestamp": 1700000000, "best": math.inf,
         "note": "warm"},
        {"val_loss": math.nan, "acc": 0.75, "timestamp": 1700000060, "note": "ok"}])
    _write_trial(folder / "bbbb_0000_0002", adam, [
        {"val_loss": 0.9, "acc": 1, "timestamp": 1700000100, "best": 0.9},
        {"val_loss": 0.8, "acc": 1, "timestamp": 1700000160, "best": 0.8, "note": "done"}])
    _write_trial(folder / "cccc_0000_0003", sgd, [
        {"val_loss": 0.7, "acc": 0.5, "timestamp": 1700000200, "best": 0.7},
        {"val_loss": 0.6, "acc": 0.5, "timestamp": 1700000260, "best": 0.6}], cut=True)
    _write_trial(folder / "dddd_0000_0004", None, [{"val_loss": 0.5}])
    _write_trial(folder / "eeee_0000_0005", adam, [])
    (folder / "master_config.yaml").write_text(yaml.safe_dump(sgd, sort_keys=False))
    return folder


def _ablator_read(trial: Path) -> pd.DataFrame:
    """ABLATOR's read_result (yaml instead of OmegaConf)."""
    config = ablator_flatten(yaml.safe_load((trial / "config.yaml").read_text()))
    frame = pd.read_json(trial / "results.json")
    frame = pd.concat([pd.DataFrame([config] * len(frame)), frame], axis=1)
    frame.index.name = "step"
    frame = frame.reset_index()
    frame["trial_uid"] = trial.name
    return frame.set_index(["trial_uid", "step"])


def _union(lists: list[list[str]]) -> list[str]:
    return list(dict.fromkeys(name for names in lists for name in names))


def test_handmade_against_ablators_reading(handmade: Path) -> None:
    results = Results(CustomParallelConfig, handmade)
    clean = [handmade / "aaaa_0000_0001", handmade / "bbbb_0000_0002"]
    frames = [_ablator_read(trial) for trial in clean]
    n_config = [len(ablator_flatten(yaml.safe_load((t / "config.yaml").read_text())))
                for t in clean]
    order = (_union([list(f.columns[:n]) for f, n in zip(frames, n_config, strict=True)])
             + _union([list(f.columns[n:]) for f, n in zip(frames, n_config, strict=True)]))
    theirs = pd.concat(frames)[order]
    ours = results.data.loc[[t.name for t in clean]]
    assert list(ours.columns) == order
    assert _differences(ours, theirs.astype(object)) == []
    assert "search_space.train_config.optimizer_config.subspaces.1.sub_configuration.arguments" \
           ".lr.value_range.0" in ours.columns
    assert "model_config.empty" not in ours.columns
    assert ours["model_config.extra"].dtype == np.float64  # int in one trial, None in another
    assert ours["model_config.width"].dtype == np.int64
    assert ours["acc"].dtype == np.float64 and ours["best"].dtype == np.float64
    assert ours["note"].iloc[[0, 1, 3]].tolist() == ["warm", "ok", "done"]
    assert ours.loc[("aaaa_0000_0001", 0), "best"] == math.inf


def test_handmade_trial_selection(handmade: Path) -> None:
    results = Results(CustomParallelConfig, handmade)
    counts = results.data.groupby(level="trial_uid").size().to_dict()
    # the cut trial keeps its complete row; no config, or no row: left out
    assert counts == {"aaaa_0000_0001": 2, "bbbb_0000_0002": 2, "cccc_0000_0003": 1}
    status = results.trial_status
    assert not status.loc["dddd_0000_0004", "included"]
    assert not status.loc["eeee_0000_0005", "included"]
    assert status.loc["cccc_0000_0003", "status"] == "running"
    assert results.metric_map == {"val_loss": Optim.min, "acc": Optim.max}
    assert results.numerical_attributes == ["model_config.width"]
    assert results.categorical_attributes == ["model_config.act"]


def test_a_key_written_twice_keeps_the_larger_value(tmp_path: Path) -> None:
    """``model_config.width`` (8) written again as a dotted key in one config: one column,
    whose cell holds the larger of the two values, whichever was written last."""
    folder = tmp_path / "clash"
    plain = _config({"lr": 0.1}, 8, "relu", None, ["x"])
    larger = {**plain, "model_config.width": 99}
    smaller = {**plain, "model_config.width": 5}
    _write_trial(folder / "aaaa_0000_0001", plain, [{"val_loss": 1.0, "acc": 0.5}])
    _write_trial(folder / "bbbb_0000_0002", larger, [{"val_loss": 0.9, "acc": 0.6},
                                                     {"val_loss": 0.8}])
    _write_trial(folder / "cccc_0000_0003", smaller, [{"val_loss": 0.7, "acc": 0.7}])
    (folder / "master_config.yaml").write_text(yaml.safe_dump(plain, sort_keys=False))
    data = Results(CustomParallelConfig, folder).data
    assert list(data.columns).count("model_config.width") == 1
    assert data["model_config.width"].tolist() == [8, 99, 99, 8]
    assert data["acc"].tolist()[:2] == [0.5, 0.6] and math.isnan(data["acc"].iloc[2])

