"""ABLATOR's "Interpreting Results" tutorial, run end to end on the real fixture.

The tutorial's code as published, with ``ablator`` replaced by ``ablation_sql`` in the imports and
``directory_path`` pointed at a copy of the fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from .conftest import EXPECTED

GENERATING_RESULTS = '''
from ablation_sql.analysis.results import Results # for formatting results
from ablation_sql import PlotAnalysis, Optim # for plotting

from ablation_sql import ParallelConfig, ModelConfig, configclass # for configs

from pathlib import Path # for defining path
import pandas as pd # for reading dataframe

@configclass
class CustomModelConfig(ModelConfig):
  num_filter1: int
  num_filter2: int
  activation: str

@configclass
class CustomParallelConfig(ParallelConfig):
  model_config: CustomModelConfig

directory_path = Path(EXPERIMENT_DIR)

results = Results(config = CustomParallelConfig, experiment_dir=directory_path, use_ray=True)

df = results.read_results(config_type=CustomParallelConfig, experiment_dir=directory_path)

df.to_csv("results.csv") # Optional: save the results to results.csv
'''

PLOTTING = '''
categorical_name_remap = {
    "model_config.activation": "Activation",
}
numerical_name_remap = {
    "model_config.num_filter1": "N. Filter 1",
    "model_config.num_filter2": "N. Filter 2",
    "train_config.optimizer_config.arguments.lr": "Learning Rate",
}

attribute_name_remap = {**categorical_name_remap, **numerical_name_remap}

analysis = PlotAnalysis(
    df,
    save_dir="./plots",
    cache=True,
    optim_metrics={"val_accuracy": Optim.max},
    numerical_attributes=list(numerical_name_remap.keys()),
    categorical_attributes=list(categorical_name_remap.keys()),
)

analysis.make_figures(
        metric_name_remap={
            "val_accuracy": "Validation Accuracy",
        },
        attribute_name_remap= attribute_name_remap
    )
'''


def _run(code: str, namespace: dict) -> dict:
    exec(compile(code, "interpreting-results", "exec", dont_inherit=True), namespace)
    return namespace


@pytest.fixture
def tutorial(real_experiment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The namespace after the tutorial's "Generating results" part, run in tmp_path."""
    monkeypatch.chdir(tmp_path)
    return _run(GENERATING_RESULTS, {"__name__": "tutorial", "EXPERIMENT_DIR": real_experiment})


def test_generating_results(tutorial: dict, tmp_path: Path) -> None:
    df = tutorial["df"]
    meta = json.loads((EXPECTED / "tutorial-tpe.meta.json").read_text())
    assert list(df.columns) == meta["columns"] and df.shape == tuple(meta["shape"])
    assert {k: str(v) for k, v in tutorial["results"].metric_map.items()} == meta["metric_map"]
    saved = pd.read_csv(tmp_path / "results.csv", index_col=[0, 1])
    assert list(saved.index.names) == ["trial_uid", "step"] and len(saved) == len(df)
    assert saved["val_loss"].tolist() == pytest.approx(df["val_loss"].tolist())


def test_plotting(tutorial: dict, tmp_path: Path) -> None:
    _run(PLOTTING, tutorial)
    for name in json.loads((EXPECTED / "tutorial-tpe.plots.json").read_text()):
        assert (tmp_path / "plots" / name).is_file(), name
