"""Each command imports what it uses and nothing heavier: run as a user runs it (a subprocess,
with ``-X importtime``, which also reports the imports of forked parsing workers), its modules
are checked against the heavy libraries it has no use for."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ablation_sql.ingest.few_trials import FEW_TRIALS
from ablation_sql.ingest.stamp import SUFFIX

from .conftest import REAL_EXPERIMENT, Synthetic

PLOTTING = {"matplotlib", "seaborn"}
STATISTICS = {"scipy", "statsmodels"}
CLUSTER = {"dask", "distributed", "tornado"}
FRAMES = {"pandas", "sqlalchemy"}
HTML = {"jinja2"}
# Commands that only run SQL and print rows: DuckDB alone.
SQL_ONLY = PLOTTING | STATISTICS | CLUSTER | FRAMES | HTML | {"pyarrow"}


# What only another source, or an ABLATOR folder with changes, needs.
OTHER_SOURCES = {"sqlite3", "ablation_sql.ingest.parse_trials", "ablation_sql.ingest.state_db",
                 "ablation_sql.ingest.sources.optuna", "ablation_sql.ingest.sources.ray",
                 "ablation_sql.ingest.sources.mlflow_db",
                 "ablation_sql.ingest.sources.mlflow_files"}


def imported_modules(*args: str, cwd: Path) -> set[str]:
    """Every module a successful ``ablation-sql ARGS`` imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "ablation_sql", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines()
               if line.startswith("import time:") and line.count("|") == 2}
    assert "ablation_sql.cli" in modules  # the report was read
    return modules


def imported(*args: str, cwd: Path) -> set[str]:
    """The top-level packages a successful ``ablation-sql ARGS`` imported."""
    return {name.split(".")[0] for name in imported_modules(*args, cwd=cwd)}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding t.duckdb: the real experiment, ingested by the command."""
    here = tmp_path_factory.mktemp("imports")
    imported("ingest", str(REAL_EXPERIMENT), "--db", "t.duckdb", "--quiet", cwd=here)
    return here


def test_ingest_needs_neither_pandas_nor_dask_nor_plotting(synthetic: Synthetic,
                                                          folder: Path) -> None:
    # more trials than are parsed in the process: the worker pool and Arrow's staging
    experiment, _ = synthetic("imports", trials=FEW_TRIALS + 40, epochs=2, seed=3)
    args = ("ingest", str(experiment), "--db", "x.duckdb", "--workers", "2", "--quiet")
    full = imported(*args, cwd=folder)
    assert {"pyarrow", "yaml", "duckdb"} <= full
    assert not full & (PLOTTING | STATISTICS | CLUSTER | FRAMES | HTML)
    # Nothing changed, as the stamp beside the database tells: not even DuckDB is loaded.
    stamped = imported_modules(*args, cwd=folder)
    assert not {name.split(".")[0] for name in stamped} & (SQL_ONLY | {"numpy", "yaml",
                                                                        "duckdb"})
    assert not stamped & OTHER_SOURCES
    # Nothing changed, asked of the database (no stamp): no file is parsed, so no parser,
    # Arrow or numpy either, nor the state db's reader or the other sources' modules.
    (folder / f"x.duckdb{SUFFIX}").unlink()
    unchanged = imported_modules(*args, cwd=folder)
    assert "duckdb" in unchanged
    assert not {name.split(".")[0] for name in unchanged} & (SQL_ONLY | {"numpy", "yaml"})
    assert not unchanged & OTHER_SOURCES


def test_a_few_changed_trials_load_neither_arrow_nor_numpy(synthetic: Synthetic,
                                                            folder: Path) -> None:
    experiment, _ = synthetic("imports-few", trials=FEW_TRIALS + 40, epochs=2, seed=4)
    changed = folder / "few"
    shutil.copytree(experiment, changed, copy_function=shutil.copyfile)
    args = ("ingest", str(changed), "--db", "few.duckdb", "--quiet")
    imported(*args, cwd=folder)
    trials = sorted(p for p in changed.iterdir() if (p / "results.json").is_file())
    for trial in trials[:3]:
        text = (trial / "results.json").read_text(encoding="utf-8")
        (trial / "results.json").write_text(text + "\n", encoding="utf-8")
    few = imported_modules(*args, cwd=folder)
    # the trials were parsed in this process, without a worker pool; their configs and the
    # master config unchanged, neither PyYAML nor the state db's reader was needed
    assert "ablation_sql.ingest.parse_trials" in few
    assert not {name.split(".")[0] for name in few} & (SQL_ONLY | {"numpy", "yaml"})
    assert not few & {"concurrent.futures.process", "ablation_sql.ingest.reading",
                      "ablation_sql.ingest.state_db", "sqlite3"}
    config = trials[0] / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert "yaml" in imported(*args, cwd=folder)


@pytest.mark.parametrize("args", [
    ("sql", "SELECT status, count(*) FROM trials GROUP BY ALL"),
    ("query", "top_trials", "-p", "metric=val_loss", "-p", "k=3"),
    ("queries",),
    ("export", "exported", "--format", "csv"),
    ("--help",),
], ids=lambda args: args[0])
def test_sql_commands_load_duckdb_alone(args: tuple[str, ...], folder: Path) -> None:
    db = () if args[0] in ("queries", "--help") else ("--db", "t.duckdb")
    assert not imported(*args, *db, cwd=folder) & SQL_ONLY


def test_effects_draws_nothing(folder: Path) -> None:
    used = imported("effects", "--metric", "val_loss", "--boots", "20", "--db", "t.duckdb",
                    cwd=folder)
    assert "statsmodels" in used
    assert not used & (PLOTTING | CLUSTER | HTML)


def test_plot_draws_without_seaborn_or_models(folder: Path) -> None:
    modules = imported_modules("plot", "--out", "drawn", "--db", "t.duckdb", cwd=folder)
    used = {name.split(".")[0] for name in modules}
    assert "matplotlib" in used
    # the repeats and settling figures' statistics (scipy.stats), not the effects' models
    assert "ablation_sql.effects.settle" in modules
    assert not used & ({"seaborn", "statsmodels", "sklearn"} | CLUSTER | HTML)
    assert not {"ablation_sql.effects.estimate", "ablation_sql.effects.ols"} & modules


def test_plot_without_repeats_needs_no_statistics(folder: Path) -> None:
    modules = imported_modules("plot", "--out", "drawn-alone", "--db", "t.duckdb",
                               "--no-repeats", cwd=folder)
    assert "matplotlib" in {name.split(".")[0] for name in modules}
    assert not {name for name in modules if name.startswith("ablation_sql.effects")}
    assert not {name.split(".")[0] for name in modules} & {"seaborn", "statsmodels", "sklearn"}
    assert not {"scipy.stats", "scipy.optimize"} & modules
