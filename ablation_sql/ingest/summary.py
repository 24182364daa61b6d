"""What an ingest did: counts for people (the CLI summary) and for code (the Python API)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["ExperimentSummary", "IngestReport", "collect_report"]

MAX_LISTED = 20


@dataclass(frozen=True)
class ExperimentSummary:
    """One ingested experiment."""

    experiment_id: str
    path: str
    search_algo: str | None
    trials: int
    source: str | None = None
    config_source: str | None = None


@dataclass(frozen=True)
class IngestReport:
    """Counts over the experiments an ingest touched (the whole of each, not just this run).
    ``settled``: the ingest could tell, without asking the database again, that an ingest of
    the same paths would now change nothing (``pipeline.settle``)."""

    experiments: list[ExperimentSummary]
    trials_by_status: dict[str, int]
    steps: int
    metric_rows: int
    trials_read: int
    trials_unchanged: int
    trials_missing: int
    skipped: list[tuple[str, str]]
    elapsed: float = 0.0
    settled: bool = False

    @property
    def trials(self) -> int:
        """All trials of the ingested experiments."""
        return sum(self.trials_by_status.values())

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {k: v for k, v in asdict(self).items() if k != "settled"} | {"trials": self.trials}

    def summary(self) -> str:
        """The summary printed by ``ablation-sql ingest``."""
        n = len(self.experiments)
        lines = [f"Ingested {n} experiment{'s' * (n != 1)} in {self.elapsed:.2f} s"]
        for e in self.experiments:
            origin = f"{e.search_algo or 'unknown'} search" if e.source in (None, "ablator") \
                else f"from {e.source}, search space {e.config_source}"
            lines.append(f"  {e.experiment_id}: {e.trials} trials, {origin} ({e.path})")
        by_status = ", ".join(f"{count} {status}" for status, count
                              in self.trials_by_status.items()) or "none"
        lines += [
            f"Trials: {self.trials} ({by_status})",
            f"  read now: {self.trials_read}, unchanged: {self.trials_unchanged}, "
            f"gone since last ingest: {self.trials_missing}",
            f"Steps: {self.steps:,}   Metric rows: {self.metric_rows:,}",
        ]
        if self.skipped:
            lines.append(f"Files not read in full: {len(self.skipped)}")
            for path, reason in self.skipped[:MAX_LISTED]:
                lines.append(f"  {path}: {reason}")
            if len(self.skipped) > MAX_LISTED:
                lines.append(f"  ... and {len(self.skipped) - MAX_LISTED} more "
                             "(SELECT * FROM ingest_errors)")
        else:
            lines.append("Files not read in full: none")
        return "\n".join(lines)


def collect_report(
    con: duckdb.DuckDBPyConnection,
    experiment_ids: Sequence[str],
    path_problems: Sequence[tuple[Path, str]],
    *,
    read: int,
    unchanged: int,
    missing: int,
) -> IngestReport:
    """Read the counts for ``experiment_ids`` from the database."""
    from ..store.sqlfiles import execute  # DuckDB: not for a report read from the stamp

    ids = list(experiment_ids)
    experiments = [ExperimentSummary(*row)
                   for row in execute(con, "ingest/report_experiments", experiment_ids=ids)]
    status = dict(execute(con, "ingest/report_status", experiment_ids=ids))
    ((steps, metric_rows),) = execute(con, "ingest/report_counts", experiment_ids=ids)
    skipped = [(str(p), reason) for p, reason in path_problems]
    skipped += [(path, error) for path, error in
                execute(con, "ingest/report_errors", experiment_ids=ids)]
    return IngestReport(experiments, status, int(steps), int(metric_rows), read, unchanged,
                        missing, skipped)
