"""Tests of the plot layer: axes-level plots (ablation_sql.plots) and PlotAnalysis.

Figure content is checked through the artists drawn (points, line data, tick labels, texts).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import ablation_sql  # noqa: E402
from ablation_sql import Optim, PlotAnalysis, connect  # noqa: E402
from ablation_sql.analysis.results import Results  # noqa: E402
from ablation_sql.compat.configs import ParallelConfig  # noqa: E402
from ablation_sql.plots import axes as plots  # noqa: E402
from ablation_sql.synthetic.generate import ACT, LR, NF1, NF2, generate_experiment  # noqa: E402

INF = float("inf")


def _ax():
    return Figure().subplots()


def _points(ax) -> np.ndarray:
    """The (x, y) of the first scatter drawn."""
    return np.asarray(ax.collections[0].get_offsets())


def _note(ax) -> str:
    return next(t.get_text() for t in ax.texts if t.get_text().startswith("n = "))


def _ticks(ax) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0],
        "y": [0.1, 0.2, 0.3, INF, np.nan, 0.6, 0.7],
        "act": ["relu", "elu", "relu", "elu", "tanh", "elu", "tanh"],
    })


# -- axes-level ------------------------------------------------------------------------------


def test_lineplot_drops_infinite_and_null_and_counts_them(frame: pd.DataFrame) -> None:
    ax = plots.lineplot(frame, metric="y", attribute="x", ax=_ax())
    points = _points(ax)
    assert points[:, 0].tolist() == [1, 2, 3, 6, 7]
    line = ax.lines[0].get_ydata()
    assert len(line) > 2 and np.isfinite(line).all()  # an inf would make regplot's line all-NaN
    slope = (line[-1] - line[0]) / (ax.lines[0].get_xdata()[-1] - ax.lines[0].get_xdata()[0])
    assert slope == pytest.approx(0.1, rel=1e-6)
    assert _note(ax) == "n = 5; left out: 2 (NULL or infinite)"
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "x" and ax.get_ylabel() == "y"
    best = ax.collections[-1].get_offsets()
    assert np.asarray(best).tolist() == [[7.0, 0.7]]


def test_lineplot_best_by_direction_and_log_axis(frame: pd.DataFrame) -> None:
    ax = plots.lineplot(frame, metric="y", attribute="x", direction="min", log=True,
                        xlabel="X", ylabel="Y", ax=_ax())
    assert ax.get_xscale() == "log" and (ax.get_xlabel(), ax.get_ylabel()) == ("X", "Y")
    assert np.asarray(ax.collections[-1].get_offsets()).tolist() == [[1.0, 0.1]]
    assert np.isfinite(ax.lines[0].get_ydata()).all()


def test_lineplot_uses_current_axes_without_ax(frame: pd.DataFrame) -> None:
    fig = plt.figure()
    try:
        assert plots.lineplot(frame, metric="y", attribute="x") is fig.gca()
    finally:
        plt.close(fig)


def test_violinplot_tick_labels_and_order(frame: pd.DataFrame) -> None:
    with np.errstate(all="ignore"):
        ax = plots.violinplot(frame, metric="y", attribute="act", ax=_ax())
    assert _ticks(ax) == ["Mean: 4.00e-01\nBest: 6.00e-01\nelu",
                          "Mean: 2.00e-01\nBest: 3.00e-01\nrelu",
                          "Mean: 7.00e-01\nBest: 7.00e-01\ntanh"]
    assert _note(ax) == "n = 5; left out: 2 (NULL or infinite)"
    ax = plots.violinplot(frame, metric="y", attribute="act", direction="min",
                          order=["tanh", "relu", "missing"], ax=_ax())
    assert [t.split("\n")[1:] for t in _ticks(ax)] == [
        ["Best: 7.00e-01", "tanh"], ["Best: 1.00e-01", "relu"], ["Best: 2.00e-01", "elu"]]


def test_violinplot_no_palette_warning(frame: pd.DataFrame, recwarn: pytest.WarningsRecorder
                                       ) -> None:
    plots.violinplot(frame, metric="y", attribute="act", ax=_ax())
    assert not [w for w in recwarn if issubclass(w.category, FutureWarning)]


def test_level_order_is_stable() -> None:
    assert plots.level_order(pd.Series([10, 2, None, 2, 1], dtype=object)) == ["1", "2", "10"]
    assert plots.level_order(pd.Series(["b", "a", "c"]), ["c", "x"]) == ["c", "a", "b"]


def test_learning_curve_one_line_per_level() -> None:
    rows = [(f"t{i}", step, "relu" if i % 2 else "elu", step * (1 + i % 2) + i / 10)
            for i in range(6) for step in range(4)]
    data = pd.DataFrame(rows, columns=["trial_uid", "step", "act", "acc"])
    data.loc[0, "acc"] = INF
    ax = plots.learning_curve(data.set_index(["trial_uid", "step"]), metric="acc",
                              attribute="act", ax=_ax())
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["elu", "relu"]
    means = {line.get_label(): line.get_ydata() for line in ax.lines[:2]}
    assert len(ax.lines[0].get_xdata()) == 4
    assert list(ax.lines[1].get_ydata()) == pytest.approx([0.3, 2.3, 4.3, 6.3])
    assert len(means) == 2 and _note(ax) == "n = 23; left out: 1 (NULL or infinite)"


# -- PlotAnalysis on a DataFrame -------------------------------------------------------------


@pytest.fixture
def epochs() -> pd.DataFrame:
    """ABLATOR's frame shape: indexed by (trial_uid, step), three trials of three steps."""
    rows = [("a", 0, 1.0, "relu", 0.1), ("a", 1, 1.0, "relu", 0.5), ("a", 2, 1.0, "relu", INF),
            ("b", 0, 2.0, "elu", 0.4), ("b", 1, 2.0, "elu", 0.3), ("b", 2, 2.0, "elu", np.nan),
            ("c", 0, 3.0, "elu", np.nan), ("c", 1, 3.0, "elu", np.nan),
            ("c", 2, 3.0, "elu", np.nan)]
    frame = pd.DataFrame(rows, columns=["trial_uid", "step", "lr", "act", "acc"])
    frame["search_space.lr.log"] = True
    frame["search_space.act.categorical_values.0"] = "relu"
    frame["search_space.act.categorical_values.1"] = "elu"
    return frame.set_index(["trial_uid", "step"])


def test_frame_reduced_to_each_trials_best(epochs: pd.DataFrame) -> None:
    maxed = PlotAnalysis(epochs, optim_metrics={"acc": Optim.max}, numerical_attributes=["lr"],
                         categorical_attributes=["act"])
    found = maxed.points("acc", "lr")
    assert found["trial_uid"].tolist() == ["a", "b", "c"]
    assert found["acc"].tolist()[:2] == [0.5, 0.4] and np.isnan(found["acc"].iloc[2])
    assert found["step"].tolist()[:2] == [1, 0]
    minned = PlotAnalysis(epochs, optim_metrics={"acc": "min"})
    assert minned.points("acc", "act")["acc"].tolist()[:2] == [0.1, 0.3]
    every = PlotAnalysis(epochs, optim_metrics={"acc": Optim.max}, rows="all")
    assert len(every.points("acc", "lr")) == 9
    assert maxed.log("lr") and not maxed.log("act")
    assert maxed.categories("act") == ["relu", "elu"]


def test_frame_figures(epochs: pd.DataFrame) -> None:
    analysis = PlotAnalysis(epochs, optim_metrics={"acc": Optim.max}, numerical_attributes=["lr"],
                            categorical_attributes=["act"])
    fig = analysis.figure("acc", "lr", {"acc": "Accuracy"}, {"lr": "Learning rate"})
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Learning rate", "Accuracy")
    assert ax.get_xscale() == "log" and _points(ax)[:, 1].tolist() == [0.5, 0.4]
    assert _note(ax) == "n = 2; left out: 1 (NULL or infinite)"
    ax = analysis.figure("acc", "act").axes[0]
    assert [t.split("\n")[-1] for t in _ticks(ax)] == ["relu", "elu"]
    ax = PlotAnalysis(epochs, optim_metrics={"acc": "max"}, categorical_attributes=["act"],
                      rows="all").figure("acc", "act").axes[0]
    assert _note(ax) == "n = 4; left out: 5 (NULL or infinite)"


def test_make_figures_paths_remap_and_cache(epochs: pd.DataFrame, tmp_path: Path) -> None:
    kwargs = {"save_dir": tmp_path, "cache": True, "optim_metrics": {"acc": Optim.max},
              "numerical_attributes": ["lr"], "categorical_attributes": ["act"]}
    written = PlotAnalysis(epochs, **kwargs).make_figures()
    assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
        "linearplot/acc/lr.png", "violinplot/acc/act.png"]
    assert PlotAnalysis(epochs, **kwargs).make_figures() == []  # nothing changed
    changed = epochs.copy()
    changed.loc[("b", 1), "acc"] = 0.9
    assert [p.name for p in PlotAnalysis(changed, **kwargs).make_figures()] == [
        "lr.png", "act.png"]
    assert [p.name for p in PlotAnalysis(changed, **kwargs).make_figures(
        attribute_name_remap={"act": "Activation"})] == ["act.png"]  # new labels, only remapped
    (tmp_path / "violinplot/acc/act.png").unlink()
    assert [p.name for p in PlotAnalysis(changed, **kwargs).make_figures(
        attribute_name_remap={"act": "Activation"})] == ["act.png"]
    uncached = {**kwargs, "cache": False, "save_dir": tmp_path / "other"}
    assert len(PlotAnalysis(epochs, **uncached).make_figures(metric_name_remap={})) == 0
    assert len(PlotAnalysis(epochs, **uncached).make_figures()) == 2
    assert len(PlotAnalysis(epochs, **uncached).make_figures()) == 2
    with pytest.raises(ValueError, match="direction"):
        PlotAnalysis(epochs, optim_metrics={"acc": "up"})
    with pytest.raises(ValueError, match="rows"):
        PlotAnalysis(epochs, rows="some")


# -- PlotAnalysis on a database or Results ---------------------------------------------------


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plots") / "synth"
    generate_experiment(folder, trials=12, epochs=3, seed=5)
    return folder


def test_database_points_and_defaults(synthetic: Path, tmp_path: Path) -> None:
    with connect() as db:
        db.ingest(synthetic)
        analysis = PlotAnalysis(db, save_dir=tmp_path)
        directions = dict(db.sql("SELECT metric, direction FROM optim_metrics").values.tolist())
        assert analysis.optim_metrics == directions
        assert analysis.numerical_attributes == [NF1, NF2, LR]
        assert analysis.categorical_attributes == [ACT]
        assert analysis.log(LR) and not analysis.log(NF1)
        assert analysis.categories(ACT) == ["relu", "elu", "leakyRelu"]
        metric = next(iter(directions))
        found = analysis.points(metric, LR)
        best = db.sql("SELECT trial_uid, best_value FROM trial_best WHERE metric = $m "
                      "ORDER BY trial_uid", {"m": metric})
        assert found["trial_uid"].tolist() == best["trial_uid"].tolist()
        assert found[metric].tolist() == pytest.approx(best["best_value"].tolist())
        ax = analysis.figure(metric, LR).axes[0]
        assert ax.get_xscale() == "log" and len(_points(ax)) == len(best)
        per_step = PlotAnalysis(db, rows="all").points(metric, ACT)
        assert len(per_step) == db.sql("SELECT count(*) AS n FROM metrics WHERE name = $m",
                                       {"m": metric})["n"].iloc[0]
        last = PlotAnalysis(db, reduction="last").points("val_accuracy", ACT)
        expected = db.sql("SELECT trial_uid, value FROM trial_metric('val_accuracy', "
                          "reduction := 'last') ORDER BY trial_uid")
        assert last["val_accuracy"].tolist() == pytest.approx(expected["value"].tolist())
        written = analysis.make_figures()
        assert len(written) == 4 * len(directions) and all(p.is_file() for p in written)


def test_results_input(synthetic: Path, tmp_path: Path) -> None:
    results = Results(ParallelConfig, synthetic)
    analysis = PlotAnalysis(results, save_dir=tmp_path,
                            optim_metrics={"val_accuracy": Optim.max})
    written = analysis.make_figures(attribute_name_remap={ACT: "Activation"})
    assert [p.relative_to(tmp_path).as_posix() for p in written] == [
        f"violinplot/val_accuracy/{ACT}.png"]
    from_frame = PlotAnalysis(results.data, optim_metrics={"val_accuracy": Optim.max})
    a = analysis.points("val_accuracy", NF2)
    b = from_frame.points("val_accuracy", NF2)
    assert a["trial_uid"].tolist() == b["trial_uid"].tolist()
    assert a["val_accuracy"].tolist() == pytest.approx(b["val_accuracy"].tolist())
    assert a[NF2].astype(float).tolist() == b[NF2].astype(float).tolist()
    assert from_frame.log(LR) and from_frame.categories(ACT) == ["relu", "elu", "leakyRelu"]


def test_exported_lazily() -> None:
    assert "PlotAnalysis" in ablation_sql.__all__
    assert ablation_sql.PlotAnalysis is PlotAnalysis

