"""Build the report: numbers (``content``), figures (``figures``) and the page (``render``)."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from ..errors import InputError
from ..ingest.pipeline import find_ingestable, ingest
from ..ingest.summary import IngestReport
from ..store.atomic import write_atomic
from ..store.connection import READ_MEMORY_LIMIT, cursor, duckdb_threads, open_connection
from .content import ExperimentContent, experiment_content, experiment_ids

__all__ = ["build_report", "report_paths"]

_T = TypeVar("_T")

# The modules of the sections after the numbers: they import matplotlib, scipy, statsmodels,
# jinja2 and (the ablation's surrogate, when it first fits) scikit-learn, most of a report's
# start. ``build_report`` imports them in a second thread while the numbers' SQL runs (DuckDB
# releases the GIL); each of their functions below imports its module when called, waiting for
# that thread if it is still at it.
_SECTIONS = ["..plots.output_names", ".effects_content", ".figures", ".ablation_content",
             ".repeats_content", ".render", "sklearn.ensemble", "sklearn.linear_model",
             "sklearn.model_selection", "sklearn.pipeline", "sklearn.preprocessing",
             "threadpoolctl"]


def _import_sections() -> None:
    """Import every module of ``_SECTIONS``."""
    for module in _SECTIONS:
        importlib.import_module(module, __package__)


def _section(module: str, name: str) -> Callable[..., Any]:
    """The function ``name`` of the section module ``module``, imported when first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module, __package__), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


file_names = _section("..plots.output_names", "file_names")
inside = _section("..plots.output_names", "inside")
read_metrics = _section(".effects_content", "read_metrics")
metric_effects = _section(".effects_content", "metric_effects")
draw_figures = _section(".figures", "draw_figures")
metric_ablation = _section(".ablation_content", "metric_ablation")
read_rankings = _section(".repeats_content", "read_rankings")
metric_repeats = _section(".repeats_content", "metric_repeats")
render_page = _section(".render", "render_page")


def build_report(
    con: duckdb.DuckDBPyConnection,
    out: str | os.PathLike,
    *,
    database: str = "in memory",
    experiments: list[str] | None = None,
    top_k: int = 10,
    n_boot: int = 1000,
    seed: int = 0,
    title: str = "Ablation report",
    ablation_resamples: int = 100,
) -> Path:
    """Write a static report of ``experiments`` (default: all) to ``out/index.html``, with its
    figures under ``out/figures/``; returns the page's path. It opens from disk, with no server
    and no network. Figures whose data did not change are not redrawn. The effects analysis
    (``effects``) draws ``n_boot`` bootstrap resamples seeded with ``seed``; the ablation
    ("From the baseline to the best", of the metric the search optimised) refits its
    surrogate on ``ablation_resamples``. The figures, the rankings of the repeats section and
    the ablation are made in two threads beside the effects (see ``_content``)."""
    known = experiment_ids(con)
    if not known:
        raise InputError("the database holds no experiment: ingest one first")
    chosen = experiments or known
    unknown = [e for e in chosen if e not in known]
    if unknown:
        raise InputError(f"no experiment {', '.join(unknown)} in the database; it has: "
                         + ", ".join(known))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    with ThreadPoolExecutor(max_workers=2) as beside:
        imported = beside.submit(_import_sections)
        for i, experiment in enumerate(chosen, start=1):
            pages.append({"anchor": f"experiment-{i}", "content": _content(
                con, beside, experiment, out, known=known, top_k=top_k, n_boot=n_boot,
                seed=seed, ablation_resamples=ablation_resamples)})
        imported.result()  # its errors, if any, are the report's
    page = out / "index.html"
    write_atomic(page, render_page(
        "index.html.j2", title=title, experiments=pages,
        database=database,
        written_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=version("ablation-sql"),
    ))
    return page


def _on_cursor(con: duckdb.DuckDBPyConnection, section: Callable[..., _T], *args: Any,
               **kwargs: Any) -> _T:
    """``section(reader, *args, **kwargs)`` on a connection of its own (``cursor``), for a
    thread beside ``con``'s."""
    with cursor(con) as reader:
        return section(reader, *args, **kwargs)


def _content(con: duckdb.DuckDBPyConnection, beside: Executor, experiment: str, out: Path, *,
             known: list[str], top_k: int, n_boot: int, seed: int, ablation_resamples: int
             ) -> ExperimentContent:
    """Every section of ``experiment`` (one of the database's ``known``), its figures
    written. Once the numbers are read, this thread reads the metrics and computes the
    effects, while ``beside``'s two threads, each on a connection of its own, draw the figures
    (matplotlib, whose Python runs while numpy and DuckDB release the GIL) and read the
    rankings (SQL), then fit the ablation (on the metrics read here) in whichever is free
    first; the repeats (on the rankings) follow the effects here, beside the ablation: the two
    cores stay busy to the end."""
    content = experiment_content(con, experiment, top_k=top_k)
    # from here the sections' own threads keep both cores busy: DuckDB's would only add the
    # cost of splitting its work (0.5-5 s of CPU at 100,000 trials)
    with duckdb_threads(con, 1):
        folder = inside(out, "figures", file_names(known)[experiment])
        drawn = beside.submit(_on_cursor, con, draw_figures, content, out)
        rankings = beside.submit(_on_cursor, con, read_rankings, experiment,
                                 list(content.metrics))
        readings = read_metrics(con, experiment, list(content.metrics))
        main = content.overview.get("optim_metric_name")
        main = main if main in content.metrics else next(iter(content.metrics), None)
        ablated = {m: beside.submit(_on_cursor, con, metric_ablation, experiment, m, out,
                                    resamples=ablation_resamples, seed=seed,
                                    trials=readings.trials.get(m, {}).get("best"))
                   for m in ([main] if main else [])}
        content.effects = {m: metric_effects(con, experiment, m, n_boot=n_boot, seed=seed,
                                             readings=readings)
                           for m in content.metrics}
        del readings  # a metric's trials: not needed by the sections below
        ranked = rankings.result()
        content.repeats = {m: metric_repeats(con, experiment, m, out, folder, seed=seed,
                                             repeated=content.effects[m].repeated,
                                             ranking=ranked[m])
                           for m in content.metrics}
        content.ablation = {m: done.result() for m, done in ablated.items()}
        drawn.result()
    return content


def report_paths(
    paths: list[str | os.PathLike],
    out: str | os.PathLike,
    *,
    db_path: str | os.PathLike | None = None,
    experiments: list[str] | None = None,
    top_k: int = 10,
    workers: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> tuple[Path, IngestReport | None]:
    """A report of a database file (``paths`` is that one file) or of experiment folders,
    ingested first into ``db_path`` (default ``out/ablation.duckdb``; unchanged trials are not
    re-read). Either way the report reads the file opened read-only, DuckDB's memory capped
    at ``READ_MEMORY_LIMIT``. Returns the page and the ingest's report, if any."""
    found = [Path(p) for p in paths]
    missing = [str(p) for p in found if not p.exists()]
    if missing:
        raise InputError(f"no such file or folder: {', '.join(missing)}")
    files = [p for p in found if p.is_file()]
    if files:
        if len(found) > 1:
            raise InputError("give either one database file or experiment folders, not both")
        with open_connection(files[0], read_only=True, allow_files=False,
                             memory_limit=READ_MEMORY_LIMIT) as con:
            return build_report(con, out, database=str(files[0]), experiments=experiments,
                                top_k=top_k), None
    find_ingestable(found)  # nothing to ingest: no database file is created
    db_file = Path(db_path) if db_path is not None else Path(out) / "ablation.duckdb"
    db_file.parent.mkdir(parents=True, exist_ok=True)
    with open_connection(db_file, read_only=False, allow_files=True) as con:
        ingested = ingest(con, found, workers=workers, on_progress=on_progress)
    chosen = experiments or [e.experiment_id for e in ingested.experiments]
    with open_connection(db_file, read_only=True, allow_files=False,
                         memory_limit=READ_MEMORY_LIMIT) as con:
        return build_report(con, out, database=str(db_file), experiments=chosen,
                            top_k=top_k), ingested
