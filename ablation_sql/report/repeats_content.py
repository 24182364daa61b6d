"""The report's "Repeats" section: per optimised metric, the configurations over their seeds
(``effects.repeats``, with its forest plot) or the plain statement that none was repeated, and
when the ranking of trials settles (``effects.settle``, with its curve). The rankings, all SQL,
may be read beforehand (``read_rankings``), in another thread while the sections before them
compute and draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..effects import repeats, settle
from ..effects.repeat_result import NO_REPEATS
from ..effects.settle import Settle
from ..errors import InputError
from ..plots.output_names import file_names, inside
from ..plots.repeats_figures import forest_figure, settle_figure
from .content import Table

__all__ = ["MetricRepeats", "metric_repeats", "read_rankings"]

_CONFIGURATIONS = ["rank", "configuration", "n", "mean", "ci_low", "ci_high", "sd", "iqm",
                   "note", "vs_best_difference", "vs_best_ci_low", "vs_best_ci_high",
                   "vs_best_p_better", "vs_best_verdict", "attributes"]
TOP = 10


@dataclass(frozen=True)
class MetricRepeats:
    """What the repeats and settle analyses say for one metric, with the figures' paths
    (relative to the page)."""

    metric: str
    findings: list[str] = field(default_factory=list)
    configurations: Table = field(default_factory=lambda: Table([], []))
    forest: str | None = None
    settle_findings: list[str] = field(default_factory=list)
    settle: str | None = None
    error: str | None = None


def read_rankings(reader: duckdb.DuckDBPyConnection, experiment: str, metrics: list[str]
                  ) -> dict[str, Settle | InputError]:
    """Each metric's ranking per step (``effects.settle``), or why it cannot be read; on a
    connection of its own (``store.connection.cursor``), it may run in another thread."""
    out: dict[str, Settle | InputError] = {}
    for metric in metrics:
        try:
            out[metric] = settle(reader, metric, experiment=experiment)
        except InputError as exc:
            out[metric] = exc
    return out


def metric_repeats(con: duckdb.DuckDBPyConnection, experiment: str, metric: str, out: Path,
                   folder: Path, *, seed: int = 0, repeated: int | None = None,
                   ranking: Settle | InputError | None = None) -> MetricRepeats:
    """The section's content for ``metric``; figures go under ``folder`` (inside ``out``).
    ``repeated``: how many configurations the effects analysis of ``metric`` found run more
    than once (None: unknown); with none, the configurations are not analysed again.
    ``ranking``: the metric's ranking already read (``read_rankings``), or None to read it."""
    name = file_names([metric])[metric]
    try:
        found = None if repeated == 0 else repeats(con, metric, experiment=experiment,
                                                   n_boot=500, seed=seed)
        if isinstance(ranking, InputError):
            raise ranking
        ranked = settle(con, metric, experiment=experiment) if ranking is None else ranking
    except InputError as exc:
        return MetricRepeats(metric, error=str(exc))
    settled = _save(settle_figure(ranked), inside(folder, "settle", f"{name}.png"), out)
    if found is None or not found.has_repeats:
        return MetricRepeats(metric, [NO_REPEATS[0].upper() + NO_REPEATS[1:] + "."],
                             settle_findings=ranked.findings, settle=settled)
    forest = _save(forest_figure(found), inside(folder, "repeats", f"{name}.png"), out)
    frame = found.to_frame().head(TOP)
    return MetricRepeats(metric, found.findings,
                         Table.of(frame, [c for c in _CONFIGURATIONS if c in frame.columns]),
                         forest, ranked.findings, settled)


def _save(figure, path: Path, out: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    return path.relative_to(out).as_posix()
