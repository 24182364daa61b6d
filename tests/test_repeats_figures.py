"""The repeats figures: plot (by default; --no-repeats) and the report's Repeats section."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pytest

import ablation_sql as asql
from ablation_sql.synthetic import generate_experiment
from ablation_sql.synthetic.study import generate_study


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("repeat-figures")
    generate_study(root / "study", 2, seed=2, same_configurations=True, trials=8, epochs=4,
                   seeds=3)
    generate_experiment(root / "single", trials=12, epochs=3)
    generate_experiment(root / "one_step", trials=12, epochs=1)
    out = {}
    for name in ("study", "single", "one_step"):
        out[name] = root / f"{name}.duckdb"
        with asql.connect(out[name]) as db:
            db.ingest(root / name)
    return out


def _png(path: Path) -> None:
    image = mpimg.imread(path)
    assert image.shape[0] > 200 and image.shape[1] > 400 and image.std() > 0.01


def test_plot_draws_the_forest_and_settle_figures_by_default(dbs, tmp_path):
    out = tmp_path / "plots"
    run = subprocess.run([sys.executable, "-m", "ablation_sql", "plot", "--out", str(out),
                          "--db", str(dbs["study"]), "--metric", "val_accuracy"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    for experiment in ("run_0", "run_1"):  # each experiment's, beside its other figures
        for kind in ("repeats", "settle"):
            _png(out / experiment / kind / "val_accuracy.png")
    off = tmp_path / "off"
    run = subprocess.run([sys.executable, "-m", "ablation_sql", "plot", "--out", str(off),
                          "--db", str(dbs["study"]), "--metric", "val_accuracy",
                          "--no-repeats"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert not list(off.rglob("repeats")) and not list(off.rglob("settle"))
    with asql.connect(dbs["study"], read_only=True) as db:
        plain = db.plot(tmp_path / "plain", metrics=["val_accuracy"], repeats=False)
        drawn = db.plot(tmp_path / "drawn", metrics=["val_accuracy"])
    names = {p.relative_to(tmp_path / "drawn").as_posix() for p in drawn.files}
    assert len(drawn.files) == len(plain.files) + 4
    assert {"run_1/repeats/val_accuracy.png", "run_1/settle/val_accuracy.png"} <= names


def test_no_forest_without_repeats_no_curve_for_one_step(dbs, tmp_path):
    with asql.connect(dbs["single"], read_only=True) as db:
        run = db.plot(tmp_path / "p", metrics=["val_loss"])
    names = {p.relative_to(tmp_path / "p").as_posix() for p in run.files}
    assert "settle/val_loss.png" in names and "repeats/val_loss.png" not in names
    with asql.connect(dbs["one_step"], read_only=True) as db:
        run = db.plot(tmp_path / "q", metrics=["val_loss"])
    names = {p.relative_to(tmp_path / "q").as_posix() for p in run.files}
    assert names and not any(n.startswith(("settle/", "repeats/")) for n in names)


@pytest.mark.slow
def test_report_repeats_section(dbs, tmp_path):
    with asql.connect(dbs["study"], read_only=True) as db:
        page = db.report(tmp_path / "rep", experiments=["run_0"], n_boot=50).read_text()
    section = page[page.index('-repeats">'):page.index('-curves">')]
    assert "Best among the configurations with at least 3 seeds" in section
    assert "figures/run_0/repeats/val_accuracy.png" in section
    _png(tmp_path / "rep" / "figures" / "run_0" / "repeats" / "val_accuracy.png")
    _png(tmp_path / "rep" / "figures" / "run_0" / "settle" / "val_loss.png")
    with asql.connect(dbs["single"], read_only=True) as db:
        page = db.report(tmp_path / "one", n_boot=50).read_text()
    section = page[page.index('-repeats">'):page.index('-curves">')]
    assert ("No configuration was run with more than one seed: differences between single "
            "trials include seed noise of unknown size.") in section
    assert "repeats/" not in section and "settle/val_loss.png" in section


@pytest.mark.parametrize("name", ["single", "study"])
def test_report_reuses_the_effects_count_of_repeated_configurations(dbs, tmp_path, name,
                                                                    monkeypatch):
    from ablation_sql.report import repeats_content
    from ablation_sql.report.content import experiment_ids
    from ablation_sql.report.effects_content import metric_effects
    from ablation_sql.store.connection import open_connection

    calls = []
    analysed = repeats_content.repeats
    monkeypatch.setattr(repeats_content, "repeats",
                        lambda *a, **k: calls.append(a) or analysed(*a, **k))
    with open_connection(dbs[name], read_only=True, allow_files=False) as con:
        experiment = experiment_ids(con)[0]
        repeated = metric_effects(con, experiment, "val_accuracy", n_boot=20).repeated
        reused = repeats_content.metric_repeats(con, experiment, "val_accuracy", tmp_path,
                                                tmp_path / "f", repeated=repeated)
        assert len(calls) == (repeated > 0)
        anew = repeats_content.metric_repeats(con, experiment, "val_accuracy", tmp_path,
                                              tmp_path / "g")
    assert (repeated > 0) == (name == "study")  # the effects analysis saw the repeats
    assert reused.findings == anew.findings and reused.configurations == anew.configurations
    assert reused.settle_findings == anew.settle_findings
    assert (reused.forest is None) == (anew.forest is None) == (name == "single")


def test_rankings_read_in_another_thread_give_the_same_section(dbs, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from ablation_sql.errors import InputError
    from ablation_sql.report import repeats_content
    from ablation_sql.report.content import experiment_ids
    from ablation_sql.store.connection import READ_MEMORY_LIMIT, cursor, open_connection

    with open_connection(dbs["single"], read_only=True, allow_files=False,
                         memory_limit=READ_MEMORY_LIMIT) as con:
        experiment = experiment_ids(con)[0]
        with cursor(con) as reader, ThreadPoolExecutor(max_workers=1) as pool:
            ranked = pool.submit(repeats_content.read_rankings, reader, experiment,
                                 ["val_accuracy"]).result()
        read = repeats_content.metric_repeats(con, experiment, "val_accuracy", tmp_path,
                                              tmp_path / "f", ranking=ranked["val_accuracy"])
        anew = repeats_content.metric_repeats(con, experiment, "val_accuracy", tmp_path,
                                              tmp_path / "g")
        unreadable = repeats_content.metric_repeats(
            con, experiment, "val_accuracy", tmp_path, tmp_path / "h", repeated=0,
            ranking=InputError("no complete trial has a finite val_accuracy"))
    assert read.settle_findings == anew.settle_findings and read.findings == anew.findings
    assert (tmp_path / read.settle).read_bytes() == (tmp_path / anew.settle).read_bytes()
    assert unreadable.error == "no complete trial has a finite val_accuracy"
