"""The report's conclusions: ``effects`` for each optimised metric, as tables and
sentences (findings first, then what limits them)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from ..effects import Effects, effects
from ..effects.data import POLICIES, TrialData, load_policies, read_attributes
from ..effects.estimate import metrics_effects
from ..effects.with_repeats import configuration_keys
from ..errors import InputError
from .content import Table

__all__ = ["MetricEffects", "Readings", "metric_effects", "read_metrics"]

_ATTRIBUTES = ["attribute", "scale", "n_used", "n_left_out", "left_out", "marginal", "adjusted",
               "importance", "importance_ci_low", "importance_ci_high", "unique", "flags"]
_SENSITIVITY = ["attribute", "term", "policy", "n_used", "estimate", "ci_low", "ci_high",
                "conclusion", "importance_rank"]
_BASELINE = ["attribute", "default", "compared_to", "change", "ci_low", "ci_high", "note"]
_ASSOCIATIONS = ["attribute_a", "attribute_b", "measure", "value", "n", "p_adjusted", "flagged"]
_FAILURES = ["attribute", "level", "n", "n_left_out", "rate", "failed", "running", "null",
             "infinite", "unset"]


@dataclass(frozen=True)
class MetricEffects:
    """What the effects analysis says for one metric, ready to show (or why it could not)."""

    metric: str
    findings: list[str]
    warnings: list[str]
    notes: list[str]
    summary: str
    attributes: Table
    sensitivity: Table
    baseline: Table
    associations: Table
    failures: Table
    error: str | None = None
    repeated: int | None = None  # configurations run more than once (None: not known)


@dataclass(frozen=True)
class Readings:
    """The metrics of one experiment read once for every section that analyses them (reading
    a reduced metric is most of an analysis's SQL): per metric its trials under each policy,
    or why it cannot be read; and the trials' configurations."""

    trials: dict[str, dict[str, TrialData]]  # metric -> policy -> its trials
    errors: dict[str, str]  # metric -> why it cannot be read
    configurations: pd.DataFrame | None  # effects.with_repeats.configuration_keys
    # (metric, n_boot, seed) -> its effects analysed beside another metric's, not yet asked for
    analysed: dict[tuple[str, int, int], Effects | InputError] = field(default_factory=dict)


def read_metrics(con: duckdb.DuckDBPyConnection, experiment: str, metrics: list[str]
                 ) -> Readings:
    """Each of ``metrics`` of ``experiment`` reduced by every policy, the attributes read once."""
    trials, errors = {}, {}
    try:
        attributes = read_attributes(con, experiment)
    except InputError as exc:
        return Readings({}, {m: str(exc) for m in metrics}, None)
    for metric in metrics:
        try:
            trials[metric] = load_policies(con, metric, list(POLICIES), experiment=experiment,
                                           attributes=attributes)
        except InputError as exc:
            errors[metric] = str(exc)
    return Readings(trials, errors, configuration_keys(con, experiment))


def metric_effects(con: duckdb.DuckDBPyConnection, experiment: str, metric: str, *,
                   n_boot: int = 1000, seed: int = 0, readings: Readings | None = None
                   ) -> MetricEffects:
    """The effects of every attribute on ``metric`` (each trial's best value), with CIs;
    ``readings``: the metric already read (``read_metrics``)."""
    empty = Table([], [])
    try:
        if readings is not None and metric in readings.errors:
            raise InputError(readings.errors[metric])
        found = effects(con, metric, experiment=experiment, n_boot=n_boot, seed=seed) \
            if readings is None else _analysed(con, experiment, metric, n_boot, seed, readings)
    except InputError as exc:
        return MetricEffects(metric, [], [], [], "", empty, empty, empty, empty, empty,
                             error=str(exc))
    low, high = found.r_squared_ci
    explained = (f"the attributes together explain R² = {found.r_squared:.2f} (95 % CI "
                 f"{low:.2f} to {high:.2f}) of the variance"
                 if math.isfinite(found.r_squared) and math.isfinite(low) and math.isfinite(high)
                 else "how much of the variance the attributes explain cannot be estimated "
                 "from so few trials")
    summary = (f"{found.n_used} of {found.n_trials} trials used ({found.policy} value per "
               f"trial); {explained}; {found.n_boot} bootstrap resamples, seed {found.seed}.")
    sentences = [s for s in found.findings if s not in found.warnings]
    return MetricEffects(
        metric=metric,
        findings=sentences,
        warnings=list(found.warnings),
        notes=list(found.notes),
        summary=summary,
        attributes=Table.of(found.attributes, _ATTRIBUTES),
        sensitivity=Table.of(found.sensitivity, _SENSITIVITY),
        baseline=Table.of(found.baseline, _BASELINE),
        associations=Table.of(found.associations, _ASSOCIATIONS),
        failures=Table.of(found.failures, [c for c in _FAILURES
                                           if c in found.failures.columns]),
        repeated=None if found.seed_noise is None else found.seed_noise.repeated,
    )


def _analysed(con: duckdb.DuckDBPyConnection, experiment: str, metric: str, n_boot: int,
              seed: int, readings: Readings) -> Effects:
    """The effects of ``metric`` from ``readings``: on the first call, those of every metric
    read without error, analysed together (the bootstrap draws they share drawn once) and
    kept until asked for."""
    if (metric, n_boot, seed) not in readings.analysed:
        todo = {m: t for m, t in readings.trials.items()
                if (m, n_boot, seed) not in readings.analysed}
        every = metrics_effects(con, {**todo, metric: readings.trials.get(metric)}, experiment,
                                n_boot=n_boot, seed=seed,
                                configurations=readings.configurations)
        readings.analysed.update({(m, n_boot, seed): f for m, f in every.items()})
    found = readings.analysed.pop((metric, n_boot, seed))
    if isinstance(found, InputError):
        raise found
    return found
