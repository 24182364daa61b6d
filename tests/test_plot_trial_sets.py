"""Which trials a figure holds: complete ones by default, others drawn distinctly when asked,
the count per status on every figure; any ingested metric drawn with a direction."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

import ablation_sql as asql  # noqa: E402
from ablation_sql import Optim, ParallelConfig, PlotAnalysis  # noqa: E402
from ablation_sql.analysis.results import Results  # noqa: E402
from ablation_sql.synthetic.generate import ACT, NF2, generate_experiment  # noqa: E402

from .conftest import REAL_EXPERIMENT  # noqa: E402


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[asql.Database, dict[str, str]]:
    root = tmp_path_factory.mktemp("trial-sets")
    truth = generate_experiment(root / "e", trials=30, epochs=4, seed=1, failed=3, running=2)
    db = asql.connect(root / "x.duckdb")
    db.ingest(root / "e", workers=1)
    yield db, truth.statuses
    db.close()


def _markers(ax) -> dict[str, int]:
    """Legend entries of the trials drawn apart: 'failed (3)' -> {'failed': 3}."""
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()] if legend else []
    return {t.split(" (")[0]: int(t.split("(")[1].rstrip(")")) for t in texts if "(" in t}


def test_default_figures_hold_complete_trials_only(mixed) -> None:
    db, statuses = mixed
    analysis = PlotAnalysis(db)
    points = analysis.points("val_accuracy", NF2)
    assert set(points["status"]) == {"complete"}
    assert len(points) == sum(s == "complete" for s in statuses.values()) == 25
    for attribute in (NF2, ACT):
        ax = analysis.figure("val_accuracy", attribute).axes[0]
        assert ax.get_title().endswith("\ntrials: 25 complete")
        assert _markers(ax) == {}
    parallel = analysis.parallel_figure("val_accuracy").axes[0]
    assert parallel.get_title().endswith("\ntrials: 25 complete")


def test_widened_figures_draw_failed_and_running_apart(mixed) -> None:
    db, _ = mixed
    analysis = PlotAnalysis(db, statuses=None)
    assert sorted(analysis.points("val_accuracy", NF2)["status"].value_counts().items()) == [
        ("complete", 25), ("failed", 3), ("running", 2)]
    for attribute in (NF2, ACT):
        ax = analysis.figure("val_accuracy", attribute).axes[0]
        assert ax.get_title().endswith("\ntrials: 25 complete, 3 failed, 2 running")
        assert _markers(ax) == {"failed": 3, "running": 2}
    parallel = analysis.parallel_figure("val_accuracy").axes[0]
    styles = parallel.collections[0].get_linestyles()
    assert sum(dash is not None for _, dash in styles) == 5  # the 5 unfinished trials, dashed


def test_any_ingested_metric_with_a_direction_as_ablator_takes_it(mixed, tmp_path) -> None:
    db, _ = mixed
    analysis = PlotAnalysis(db, save_dir=tmp_path, optim_metrics={"train_loss": Optim.min})
    files = analysis.make_figures()
    assert {p.parent.name for p in files} == {"train_loss"} and len(files) == 4
    ax = analysis.figure("train_loss", NF2).axes[0]
    best = [t.get_text() for t in ax.get_legend().get_texts() if t.get_text().startswith("Best")]
    lowest = analysis.points("train_loss", NF2)["train_loss"].min()
    assert best == [f"Best: {lowest:.2e}"]


def test_results_api_draws_a_metric_outside_optim_metrics(tmp_path: Path) -> None:
    results = Results(ParallelConfig, experiment_dir=REAL_EXPERIMENT)
    analysis = PlotAnalysis(results, save_dir=tmp_path, optim_metrics={"train_loss": "min"})
    files = analysis.make_figures()
    assert files and all(p.is_file() and p.parent.name == "train_loss" for p in files)


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ablation_sql", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_cli_plots_a_metric_outside_optim_metrics(tmp_path: Path) -> None:
    assert run_cli("ingest", str(REAL_EXPERIMENT), "--db", "x.duckdb", "--quiet",
                   cwd=tmp_path).returncode == 0
    refused = run_cli("plot", "--db", "x.duckdb", "--out", "p", "--metric", "train_loss",
                      cwd=tmp_path)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "'train_loss' is not an optimised metric: give its direction with --direction" \
        in refused.stderr
    done = run_cli("plot", "--db", "x.duckdb", "--out", "p", "--metric", "train_loss",
                   "--direction", "min", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    drawn = sorted(p.relative_to(tmp_path / "p").as_posix()
                   for p in (tmp_path / "p").rglob("*.png"))
    assert drawn and all("/train_loss" in p for p in drawn)
    assert "parallel/train_loss.png" in drawn and "settle/train_loss.png" in drawn
    assert len(drawn) == 6  # 4 attributes, parallel, the rank settling
