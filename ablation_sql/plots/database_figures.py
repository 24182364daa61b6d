"""Every figure of a database's experiments in one call (the ``ablation-sql plot`` command).

    run = plot_database(db, "plots", metrics=["val_accuracy"], remap="remap.yaml", format="svg")
    print(run.summary())

The remap file is YAML: ``{metrics: {name: label}, attributes: {name: label}}``; as in ABLATOR,
a section given selects the metrics / attributes drawn as well as naming them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from ..ingest.files import FileProblem, read_text
from ..ingest.yaml_config import parse_config
from ..store.choices import POLICIES
from ..store.connection import Connectable, connection
from ..store.sqlfiles import execute
from .analysis import FORMATS, PlotAnalysis
from .output_names import file_names, inside

__all__ = ["POLICIES", "PlotRun", "Remap", "load_remap", "plot_database"]

MAX_REMAP_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Remap:
    """Display names of metrics and attributes; None where the file has no such section."""

    metrics: dict[str, str] | None = None
    attributes: dict[str, str] | None = None


@dataclass
class PlotRun:
    """The files a ``plot_database`` call wrote and how many rows each figure left out."""

    out: Path
    files: list[Path] = field(default_factory=list)
    left_out: dict[Path, int] = field(default_factory=dict)

    def summary(self) -> str:
        """One line of totals, then one per figure that left rows out."""
        lines = [f"Wrote {len(self.files)} figures to {self.out}"]
        lines += [f"  {path.relative_to(self.out).as_posix()}: left out {n} rows "
                  "(NULL or infinite)" for path, n in self.left_out.items() if n]
        return "\n".join(lines)


def load_remap(path: str | os.PathLike) -> Remap:
    """Read a remap YAML file; InputError (one line) when it cannot be used."""
    path = Path(path)
    try:
        data = parse_config(read_text(path, max_bytes=MAX_REMAP_BYTES), path.name)
    except FileProblem as exc:
        raise InputError(f"remap file {path}: {exc}") from None
    unknown = sorted(set(data) - {"metrics", "attributes"})
    if unknown:
        raise InputError(f"remap file {path}: unknown section {unknown[0]!r} "
                         "(expected metrics and/or attributes)")
    return Remap(**{key: _names(path, key, value) for key, value in data.items()})


def _names(path: Path, section: str, value: object) -> dict[str, str]:
    """A section's {name: label}, checked."""
    if not isinstance(value, dict):
        raise InputError(f"remap file {path}: {section} must map names to labels "
                         f"(found {type(value).__name__})")
    for name, label in value.items():
        if not isinstance(name, str) or not isinstance(label, str | int | float):
            raise InputError(f"remap file {path}: {section}: {name!r}: {label!r} is not a "
                             "name mapped to a label")
    return {name: str(label) for name, label in value.items()}


def plot_database(
    db: Connectable,
    out: str | os.PathLike,
    *,
    metrics: Sequence[str] | None = None,
    remap: str | os.PathLike | Remap | None = None,
    format: str = "png",
    policy: str = "best",
    experiment: str | None = None,
    rows: str = "trial",
    direction: str | None = None,
    statuses: Sequence[str] | None = ("complete",),
    repeats: bool = True,
) -> PlotRun:
    """Write the line, violin and parallel-coordinates figures of each experiment under
    ``out`` (under ``out/<experiment_id>/`` when the database holds several and no
    ``experiment`` is given; names that are not safe file names become a slug and a hash, and
    each folder's ``figures.json`` maps its files to the real names). ``metrics`` (default: the
    optimised metrics) may name any ingested metric; ``direction`` (min | max) is theirs,
    required for a metric that is not optimised. ``policy`` is trial_metric's reduction for one
    point per trial (best, last, mean_last); ``rows="all"`` draws every step's row instead.
    ``statuses``: the trials drawn (default: complete ones; None: every status, the others
    drawn distinctly). ``repeats`` (default): also the forest plot of configurations
    (``repeats/<metric>``, when some configuration has repeats) and the rank correlation by
    step (``settle/<metric>``, when the trials have more than one step) of each metric (those
    of the remap's metrics section, when it has one), beside each experiment's figures."""
    for option, value, allowed in (("format", format, FORMATS), ("policy", policy, POLICIES),
                                   ("rows", rows, ("trial", "all"))):
        if value not in allowed:
            raise InputError(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    names = remap if isinstance(remap, Remap) or remap is None else load_remap(remap)
    names = names or Remap()
    if direction is not None and direction not in ("min", "max"):
        raise InputError(f"direction must be min or max, not {direction!r}")
    con = connection(db)
    listed = execute(con, "plots/plot_experiments")
    found = {e: (dict(d or {}), list(i or [])) for e, d, i in listed}
    if experiment is not None and experiment not in found:
        raise InputError(f"no experiment {experiment!r} in the database; it holds "
                         f"{_listing(found)}")
    if not found:
        raise InputError("the database holds no experiments")
    chosen = [experiment] if experiment is not None else list(found)
    ingested = sorted({m for e in chosen for m in [*found[e][0], *found[e][1]]})
    unknown = [m for m in metrics or [] if m not in ingested]
    if unknown:
        raise InputError(f"unknown metric {unknown[0]!r}: the ingested metrics are "
                         f"{_listing(ingested)}")
    undirected = [m for e in chosen for m in metrics or []
                  if direction is None and m in found[e][1] and m not in found[e][0]]
    if undirected:
        raise InputError(f"metric {undirected[0]!r} is not an optimised metric: give its "
                         "direction with --direction min or --direction max (direction= in "
                         "Python)")
    run = PlotRun(Path(out))
    folders = file_names(found)
    for experiment_id in chosen:
        folder = run.out if len(chosen) == 1 else inside(run.out, folders[experiment_id])
        analysis = PlotAnalysis(db, folder, rows=rows, reduction=policy,
                                experiment=experiment_id, statuses=statuses)
        if metrics is not None:
            declared = found[experiment_id][0]
            analysis.optim_metrics = {m: direction or declared[m] for m in dict.fromkeys(metrics)
                                      if m in declared or m in found[experiment_id][1]}
        # the repeats and settle figures first: their queries are the largest, and the
        # memory DuckDB keeps after them serves the later queries
        drawn = (metrics or sorted(found[experiment_id][0])) if repeats else []
        drawn = [m for m in drawn if names.metrics is None or m in names.metrics]
        if drawn:  # only then: its statistics import statsmodels and scipy.stats
            from .repeats_figures import draw_repeats, has_repeats

            repeated = has_repeats(db, experiment_id)
        for metric, file_name in file_names(drawn).items():
            run.files += draw_repeats(db, folder, metric, file_name, experiment=experiment_id,
                                      policy=policy, direction=direction, format=format,
                                      repeated=repeated, label=(names.metrics or {}).get(metric))
        with analysis.reading_once():
            for make in (analysis.make_figures, analysis.make_parallel_figures):
                run.files += make(names.metrics, names.attributes, format=format)
        run.left_out |= analysis.left_out
    if not run.files:
        raise InputError("nothing to draw: no optimised metric with attributes is left "
                         "(the remap file selects the metrics and attributes it names)")
    return run


def _listing(names: Sequence[str] | dict) -> str:
    return ", ".join(names) or "none"
