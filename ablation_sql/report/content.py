"""What a report shows, read from the database: the numbers of every section, per experiment.

Everything comes from SQL (the named queries and ``ablation_sql/report/sql/page_*.sql``), the
statuses and top trials on a second connection in a second thread beside the rest (on two
cores, most of these queries use one); figures are drawn separately (``figures``) and only
referred to here by their paths.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from ..queries import run_query
from ..store.connection import read_beside
from ..store.sqlfiles import fetch

__all__ = ["Attribute", "ExperimentContent", "Table", "experiment_content", "experiment_ids"]

# Every section's trials: the complete ones (as the effects and findings use); failed and
# running trials are counted per level and listed with their reasons, never ranked or drawn.
TRIAL_SET = "complete"
# The one binning of numerical attributes everywhere on the page, the effects' own.
BINNING = "quantile"


@dataclass(frozen=True)
class Table:
    """Rows to show: column names and rows of plain Python values (None for NULL)."""

    columns: list[str]
    rows: list[list[Any]]

    @classmethod
    def of(cls, frame: pd.DataFrame, columns: list[str] | None = None) -> Table:
        """The frame's ``columns`` (default: all), NULL/NaN as None."""
        frame = frame if columns is None else frame[columns]
        rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
        return cls(list(frame.columns), rows)

    def __bool__(self) -> bool:
        return bool(self.rows)


@dataclass
class Attribute:
    """One search-space attribute: what was declared and sampled, and the numbers per metric."""

    name: str
    kind: str
    coverage: Table
    failures: Table
    numbers: dict[str, Table] = field(default_factory=dict)  # metric -> its effect table
    figures: dict[str, str] = field(default_factory=dict)  # metric -> figure path
    curves: dict[str, str] = field(default_factory=dict)  # metric -> learning-curve figure


@dataclass
class ExperimentContent:
    """Everything a report says about one experiment."""

    experiment_id: str
    overview: dict[str, Any]
    statuses: dict[str, int]
    metrics: dict[str, str]  # metric -> direction
    top_trials: dict[str, Table]
    attributes: list[Attribute]
    problems: Table
    coverage: Table
    parallel: dict[str, str] = field(default_factory=dict)  # metric -> figure path
    effects: dict[str, Any] = field(default_factory=dict)  # metric -> MetricEffects
    ablation: dict[str, Any] = field(default_factory=dict)  # metric -> MetricAblation
    repeats: dict[str, Any] = field(default_factory=dict)  # metric -> MetricRepeats


_STATUSES = ("complete", "failed", "running", "pruned", "waiting", "unknown", "missing")
_TOP_COLUMNS = ["rank", "trial_uid", "status", "value", "step"]
_NUMERICAL = ["scale", "n", "slope", "intercept", "pearson_r", "r_squared", "spearman_rho"]
_CATEGORICAL = ["level", "n", "mean", "ci_low", "ci_high", "median", "std", "best"]
_COVERAGE = ["attribute", "kind", "log", "declared_low", "declared_high", "sampled_min",
             "sampled_max", "declared_categories", "missing_categories", "trials",
             "distinct_values", "out_of_range", "coverage"]
_FAILURES = ["level", "trials", "complete", "failed", "running", "failure_rate"]


def experiment_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every experiment in the database, in id order."""
    return list(fetch(con, "report/page_experiments", experiment=None)["experiment_id"])


def experiment_content(con: duckdb.DuckDBPyConnection, experiment: str, *, top_k: int = 10
                       ) -> ExperimentContent:
    """The numbers of every section of the report for ``experiment``."""
    overview = fetch(con, "report/page_experiments", experiment=experiment).iloc[0].to_dict()
    metrics = dict(fetch(con, "plots/plot_optim_metrics", experiment=experiment)
                   .itertuples(index=False, name=None))
    # the statuses and the top trials on a second connection, beside the rest
    with read_beside(con, _statuses_and_top, experiment, list(metrics), top_k) as read:
        coverage = run_query(con, "search_space_coverage", experiment=experiment)
        kinds = {"numerical" if k == "numerical" else "categorical" for k in coverage["kind"]}
        effects = {(kind, m): run_query(con, f"{kind}_effects", metric=m, experiment=experiment,
                                        status=TRIAL_SET)  # every attribute of the kind at once
                   for kind in sorted(kinds) for m in metrics}
        status, top = read.result()
    total = status[status["attribute"].isna()]
    statuses = {s: int(total[s].iloc[0]) for s in _STATUSES if len(total) and total[s].iloc[0]}
    attributes = [
        _attribute(row, coverage, status, metrics, effects)
        for row in coverage.itertuples(index=False)
    ]
    return ExperimentContent(
        experiment_id=experiment,
        overview={k: _plain(v) for k, v in overview.items()},
        statuses=statuses,
        metrics=metrics,
        top_trials=top,
        attributes=attributes,
        problems=Table.of(fetch(con, "report/page_problems", experiment=experiment)),
        coverage=Table.of(coverage, [c for c in _COVERAGE if c in coverage.columns]),
    )


def _statuses_and_top(con: duckdb.DuckDBPyConnection, experiment: str, metrics: list[str],
                      top_k: int) -> tuple[pd.DataFrame, dict[str, Table]]:
    """``trial_status`` of ``experiment`` and each metric's ``top_k`` trials."""
    status = run_query(con, "trial_status", experiment=experiment, binning=BINNING)
    top = {m: Table.of(run_query(con, "top_trials", metric=m, k=top_k, experiment=experiment,
                                status=TRIAL_SET)
                       .drop(columns=["experiment_id", "metric", "direction"]))
           for m in metrics}
    return status, top


def _attribute(row: Any, coverage: pd.DataFrame, status: pd.DataFrame, metrics: dict[str, str],
               effects: dict[tuple[str, str], pd.DataFrame]) -> Attribute:
    """One attribute's rows of the experiment's tables (``effects``: (kind, metric) -> the
    ``numerical_effects`` or ``categorical_effects`` rows of every attribute)."""
    name, kind = row.attribute, row.kind
    numbers = {}
    for metric in metrics:
        if kind == "numerical":
            found = effects["numerical", metric]
            numbers[metric] = Table.of(found[found["attribute"] == name], _NUMERICAL)
        else:
            found = effects["categorical", metric]
            numbers[metric] = Table.of(found[found["attribute"] == name], _CATEGORICAL)
    levels = status[status["attribute"] == name]
    return Attribute(
        name=name,
        kind=kind,
        coverage=Table.of(coverage[coverage["attribute"] == name],
                          [c for c in _COVERAGE if c in coverage.columns]),
        failures=Table.of(levels, _FAILURES),
        numbers=numbers,
    )


def _plain(value: Any) -> Any:
    """A value as the template shows it: None for NULL and NaN, numpy scalars as Python's,
    lists as comma-separated text."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(str(_plain(v)) for v in value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value
