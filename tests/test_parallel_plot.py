"""Tests of the parallel-coordinates figure (plots.parallel_coordinates), PlotAnalysis's
parallel figures and its file formats.

Figure content is checked through the artists drawn: the LineCollection's segments and colour
values, the tick labels of each attribute's axis (child axes), the note.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ablation_sql import Optim, PlotAnalysis, connect  # noqa: E402
from ablation_sql.plots import analysis as plot_module  # noqa: E402
from ablation_sql.plots import axes as plots  # noqa: E402
from ablation_sql.synthetic.generate import ACT, LR, NF1, NF2, generate_experiment  # noqa: E402

INF = float("inf")
fetch = plot_module.fetch
MAGIC = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.fixture
def frame() -> pd.DataFrame:
    """Six trials: one with an infinite metric, one with a NULL level, one with lr 0 (log)."""
    return pd.DataFrame({
        "n": [1, 3, 2, 5, 4, 6],
        "lr": [1e-4, 1e-2, 1e-3, 1e-1, 1e-3, 0.0],
        "act": ["b", "a", "c", "a", None, "a"],
        "y": [0.2, 0.9, 0.5, INF, 0.1, 0.3],
    })


def _draw(frame: pd.DataFrame, **options):
    options = {"metric": "y", "attributes": ["n", "lr", "act"], "log": {"lr": True},
               "categories": {"act": ["c", "b"]}} | options
    return plots.parallel_coordinates(frame, ax=Figure().subplots(), **options)


def _lines(ax) -> LineCollection:
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    return lines


def _axis_ticks(ax) -> list[list[str]]:
    return [[t.get_text() for t in side.get_yticklabels()] for side in ax.child_axes]


def test_segments_scaled_per_axis(frame: pd.DataFrame) -> None:
    ax = _draw(frame)
    segments = _lines(ax).get_segments()
    assert len(segments) == 3  # inf metric, NULL level and lr 0 under log left out
    assert all(s[:, 0].tolist() == [0, 1, 2, 3] for s in segments)
    # drawn worst first (max): y 0.2, 0.5, 0.9. n min-max 1..3; lr log10 -4..-2;
    # act at levels c, b (declared), a (the rest); y min-max 0.2..0.9
    ys = [s[:, 1].tolist() for s in segments]
    assert ys[0] == pytest.approx([0.0, 0.0, 0.5, 0.0])
    assert ys[1] == pytest.approx([0.5, 0.5, 0.0, 0.3 / 0.7])
    assert ys[2] == pytest.approx([1.0, 1.0, 1.0, 1.0])
    assert plots.left_out(ax) == 3
    assert [t.get_text() for t in ax.texts] == ["n = 3; left out: 3 (NULL or infinite)"]


def test_tick_labels_show_real_values_and_labels(frame: pd.DataFrame) -> None:
    ax = _draw(frame, labels={"lr": "Learning rate", "y": "Accuracy"})
    assert _axis_ticks(ax) == [["1", "1.5", "2", "2.5", "3"], ["0.0001", "0.001", "0.01"],
                               ["c", "b", "a"], ["0.2", "0.4", "0.6", "0.8"]]
    assert [side.get_yticks().tolist() for side in ax.child_axes][1:3] == [[0, 0.5, 1]] * 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["n", "Learning rate", "act",
                                                            "Accuracy"]
    colorbar = ax.figure.axes[1]
    assert colorbar.get_ylabel() == "Accuracy"


def test_colour_order_by_direction(frame: pd.DataFrame) -> None:
    maxed = _lines(_draw(frame))
    assert maxed.get_array().tolist() == [0.2, 0.5, 0.9]  # best last: drawn on top
    minned = _lines(_draw(frame, direction="min"))
    assert minned.get_array().tolist() == [0.9, 0.5, 0.2]
    assert minned.get_segments()[-1][:, 1].tolist() == pytest.approx([0, 0, 0.5, 0])
    assert (maxed.get_cmap().name, minned.get_cmap().name) == ("viridis", "viridis_r")


def test_undeclared_text_is_categorical_and_constants_centred() -> None:
    data = pd.DataFrame({"k": [7, 7, 7, 7], "opt": ["sgd", "adam", "sgd", "adam"],
                         "y": [1.0, 2.0, 3.0, 4.0], "m": [10.0, None, 30.0, 20.0]})
    ax = plots.parallel_coordinates(data, metric="y", attributes=["k", "opt", "m"],
                                    ax=Figure().subplots())
    ys = np.array([s[:, 1] for s in _lines(ax).get_segments()])
    np.testing.assert_allclose(ys, [[0.5, 1.0, 0.0, 0.0], [0.5, 1.0, 1.0, 2 / 3],
                                    [0.5, 0.0, 0.5, 1.0]])  # the row with m NULL left out
    assert _axis_ticks(ax)[:2] == [["7"], ["adam", "sgd"]]
    assert plots.left_out(ax) == 1


def test_empty_frame_draws_only_the_note() -> None:
    data = pd.DataFrame({"a": [1.0], "y": [np.nan]})
    ax = plots.parallel_coordinates(data, metric="y", attributes=["a"], ax=Figure().subplots())
    assert len(_lines(ax).get_segments()) == 0 and len(ax.figure.axes) == 1  # no colorbar
    assert plots.left_out(ax) == 1


def test_left_out_of_a_log_lineplot(frame: pd.DataFrame) -> None:
    ax = plots.lineplot(frame, metric="y", attribute="lr", log=True, ax=Figure().subplots())
    assert np.asarray(ax.collections[0].get_offsets())[:, 0].tolist() == [1e-4, 1e-2, 1e-3, 1e-3]
    assert plots.left_out(ax) == 2  # the infinite metric and lr 0
    assert plots.left_out(Figure().subplots()) == 0


# -- PlotAnalysis ----------------------------------------------------------------------------


@pytest.fixture
def epochs() -> pd.DataFrame:
    rows = [("a", 0, 1.0, "relu", 0.1), ("a", 1, 1.0, "relu", 0.5),
            ("b", 0, 2.0, "elu", 0.4), ("b", 1, 2.0, "elu", 0.3),
            ("c", 0, 3.0, "elu", np.nan), ("c", 1, 3.0, "elu", INF)]
    frame = pd.DataFrame(rows, columns=["trial_uid", "step", "lr", "act", "acc"])
    return frame.set_index(["trial_uid", "step"])


def _analysis(epochs: pd.DataFrame, save_dir: Path, **kwargs) -> PlotAnalysis:
    return PlotAnalysis(epochs, save_dir=save_dir, optim_metrics={"acc": Optim.max},
                        numerical_attributes=["lr"], categorical_attributes=["act"], **kwargs)


def test_formats_and_cache_keyed_on_format(epochs: pd.DataFrame, tmp_path: Path) -> None:
    for fmt, magic in MAGIC.items():
        written = _analysis(epochs, tmp_path, cache=True).make_figures(format=fmt)
        assert sorted(p.relative_to(tmp_path).as_posix() for p in written) == [
            f"linearplot/acc/lr.{fmt}", f"violinplot/acc/act.{fmt}"]
        assert all(p.read_bytes().startswith(magic) for p in written)
    assert _analysis(epochs, tmp_path, cache=True).make_figures(format="svg") == []
    with pytest.raises(ValueError, match="format"):
        _analysis(epochs, tmp_path).make_figures(format="jpg")


def test_parallel_figures_paths_remap_and_left_out(epochs: pd.DataFrame, tmp_path: Path
                                                   ) -> None:
    analysis = _analysis(epochs, tmp_path, cache=True)
    written = analysis.make_parallel_figures(format="svg")
    assert [p.relative_to(tmp_path).as_posix() for p in written] == ["parallel/acc.svg"]
    assert analysis.left_out == {tmp_path / "parallel/acc.svg": 1}  # trial c: NaN, then inf
    assert analysis.make_parallel_figures(format="svg") == []
    assert len(analysis.make_parallel_figures({"acc": "Accuracy"}, format="svg")) == 1
    fig = analysis.parallel_figure("acc", {"acc": "Accuracy"}, {"act": "Activation"})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Activation", "Accuracy"]
    assert ax.get_title() == "Accuracy: parallel coordinates\ntrials: 3"
    assert _lines(ax).get_array().tolist() == [0.4, 0.5]  # each trial's best
    assert analysis.make_parallel_figures(attribute_name_remap={}) == []  # no attributes


def test_parallel_figure_from_a_database(tmp_path: Path, monkeypatch) -> None:
    generate_experiment(tmp_path / "synth", trials=10, epochs=2, seed=3)
    with connect() as db:
        db.ingest(tmp_path / "synth", workers=1)
        analysis = PlotAnalysis(db)
        ax = analysis.parallel_figure("val_loss").axes[0]
        finite = db.sql("SELECT count(*) AS n FROM trial_metric('val_loss') t "
                        "JOIN trial_attributes a USING (experiment_id, trial_uid) "
                        f'WHERE isfinite(t.value) AND a."{NF1}" IS NOT NULL')["n"].iloc[0]
        assert len(_lines(ax).get_segments()) == finite
        assert [t.get_text() for t in ax.get_xticklabels()] == [NF1, NF2, LR, ACT, "val_loss"]
        assert _axis_ticks(ax)[3] == ["relu", "elu", "leakyRelu"]  # declared order
        assert _lines(ax).get_cmap().name == "viridis_r"  # val_loss is minimised
        read = []
        monkeypatch.setattr(plot_module, "fetch", lambda con, name, **kw: read.append(
            (name, kw.get("metric"))) or fetch(con, name, **kw))
        analysis.save_dir = tmp_path / "figures"
        written = analysis.make_parallel_figures(attribute_name_remap={LR: "lr", ACT: "act"})
        assert len(written) == 2 and read == [("plots/plot_trials", None),
                                              ("plots/plot_trial_values", "val_accuracy"),
                                              ("plots/plot_trial_values", "val_loss")]
        assert len(analysis.make_figures(format="svg")) == 8 and len(read) == 6  # once a metric
