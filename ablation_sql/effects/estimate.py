"""The effects analysis end to end: load the trials, estimate, check, and say it in words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .adjusted import adjusted_effects
from .associations import associations, confounding_warnings
from .baseline import baseline
from .data import POLICIES, TrialData, load_policies
from .design import Design, build_design, within
from .disagreement import disagreements
from .failures import all_left_out_statements, failure_rates, survivorship_warnings
from .findings import attribute_findings, number, warning_sentences
from .importance import importance, resampled_sums
from .marginal import (
    bootstrapped,
    level_groups,
    marginal_levels,
    marginal_slopes,
    resampled_level_means,
)
from .names import short_names
from .result import ATTRIBUTE_COLUMNS, Effects
from .robustness import Robustness, robustness
from .sensitivity import Sensitivity, sensitivity
from .surrogate import single_threaded
from .with_repeats import RepeatContext, configuration_keys, with_repeats

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["MIN_USED", "effects", "metrics_effects"]

MIN_USED = 3


def effects(db: Connectable, metric: str, experiment: str | None = None, policy: str = "best",
            *, n_boot: int = 1000, seed: int = 0, k: int = 5, direction: str | None = None,
            trials: dict[str, TrialData] | None = None,
            configurations: pd.DataFrame | None = None) -> Effects:
    """Effects of every attribute of ``experiment`` on ``metric`` (see ``Effects``).

    ``policy`` reduces each trial's curve (best | last | mean_last of the last ``k``); the
    bootstraps draw ``n_boot`` resamples from a generator seeded with ``seed``. Raises
    InputError for unknown names or when fewer than 3 trials can be used. ``trials`` (the
    metric as ``load_policies`` read it, for ``policy`` and every policy of ``POLICIES``) and
    ``configurations`` (``configuration_keys``), when given, are not read again.
    """
    found = metrics_effects(db, {metric: trials}, experiment, policy, n_boot=n_boot, seed=seed,
                            k=k, direction=direction, configurations=configurations)[metric]
    if isinstance(found, InputError):
        raise found
    return found


def metrics_effects(db: Connectable, metrics: dict[str, dict[str, TrialData] | None],
                    experiment: str | None = None, policy: str = "best", *,
                    n_boot: int = 1000, seed: int = 0, k: int = 5, direction: str | None = None,
                    configurations: pd.DataFrame | None = None
                    ) -> dict[str, Effects | InputError]:
    """``effects`` of each of ``metrics`` (metric -> its ``trials``, or None to read them), or
    the InputError that says why it cannot be analysed: the same results, the bootstrap draws
    that the metrics share (as many used trials, levels as large) drawn once."""
    if n_boot < 1:
        raise InputError("n_boot must be at least 1")
    with single_threaded():  # many small fits: BLAS's threads cost more than they give
        ready: dict[str, _Prepared | InputError] = {}
        for metric, trials in metrics.items():
            try:
                ready[metric] = _prepare(db, metric, experiment, policy, k=k,
                                         direction=direction, trials=trials,
                                         configurations=configurations)
            except InputError as exc:
                ready[metric] = exc
        prepared = [r for r in ready.values() if not isinstance(r, InputError)]
        sums = resampled_sums([r.design for r in prepared], n_boot=n_boot, seed=seed)
        means = resampled_level_means([bootstrapped(r.levels) for r in prepared],
                                      n_boot=n_boot, seed=seed)
        drawn = {id(r): (s, m) for r, s, m in zip(prepared, sums, means, strict=True)}
        found: list[tuple[TrialData, pd.DataFrame]] = []
        return {metric: r if isinstance(r, InputError) else _effects(
                    r, metric, policy, n_boot=n_boot, seed=seed, k=k, drawn=drawn[id(r)],
                    pairs=_associations(r.data, found))
                for metric, r in ready.items()}


def _associations(data: TrialData, found: list[tuple[TrialData, pd.DataFrame]]
                  ) -> pd.DataFrame:
    """``associations(data)``: those ``found`` for another metric's trials when the
    attributes' values are the same (they depend on nothing else), else found and kept."""
    names = data.numerical + data.categorical
    for other, pairs in found:
        if ((other.numerical, other.categorical, other.log)
                == (data.numerical, data.categorical, data.log)
                and other.frame[names].equals(data.frame[names])):
            return pairs.copy()
    pairs = associations(data)
    found.append((data, pairs))
    return pairs


@dataclass(frozen=True)
class _Prepared:
    """One metric's trials to analyse (every policy's, repeats averaged) and its design."""

    datasets: dict[str, TrialData]
    data: TrialData
    repeats: RepeatContext
    design: Design
    levels: list[tuple[str, list[str], list[np.ndarray]]]  # level_groups(data, design)


def _prepare(db: Connectable, metric: str, experiment: str | None, policy: str, *, k: int,
             direction: str | None, trials: dict[str, TrialData] | None,
             configurations: pd.DataFrame | None) -> _Prepared:
    datasets = trials if trials is not None else load_policies(
        db, metric, list(dict.fromkeys([policy, *POLICIES])), experiment=experiment, k=k,
        direction=direction)
    data = datasets[policy]
    if configurations is None:
        configurations = configuration_keys(db, data.experiment_id)
    repeats = with_repeats(db, datasets, policy, k=k, direction=direction,
                           keys=configurations)
    datasets = repeats.datasets
    data = datasets[policy]
    if len(data.used) < MIN_USED:
        left_out = data.frame["reason"].dropna().value_counts().to_dict()
        reasons = ", ".join(f"{r} {n}" for r, n in left_out.items()) or "none"
        raise InputError(f"only {len(data.used)} of {len(data.frame)} trials of "
                         f"{data.experiment_id} can be used for {metric} (at least {MIN_USED} "
                         f"needed; left out: {reasons})")
    design = build_design(data)
    return _Prepared(datasets, data, repeats, design, level_groups(data, design))


def _effects(prepared: _Prepared, metric: str, policy: str, *, n_boot: int, seed: int, k: int,
             drawn: tuple[np.ndarray | None, list[np.ndarray | None]], pairs: pd.DataFrame
             ) -> Effects:
    datasets, data, repeats, design = (prepared.datasets, prepared.data, prepared.repeats,
                                       prepared.design)
    left_out = data.frame["reason"].dropna().value_counts().to_dict()
    slopes = marginal_slopes(data, design)
    levels = marginal_levels(data, design, n_boot=n_boot, seed=seed, grouped=prepared.levels,
                             resampled=drawn[1])
    adjusted = adjusted_effects(design)
    disagree = disagreements(slopes, levels, adjusted.coefficients)
    robust = robustness(design, adjusted, data.direction, short_names(data.attributes))
    weights = importance(design, n_boot=n_boot, seed=seed, resampled=drawn[0])
    policies = sensitivity(datasets, policy, weights.table, design, adjusted.coefficients)
    rates = failure_rates(data)
    warnings = (survivorship_warnings(data, rates) + confounding_warnings(data, pairs)
                + warning_sentences(data, disagree, policies) + repeats.warnings)
    notes = [f"{a}: {why}" for a, why in {**data.notes, **design.notes}.items()]
    notes += [n for n in (adjusted.note, weights.note) if n]
    notes += [f"{r.attribute}: its importance share {number(r.share)} lies below almost all "
              f"of its resamples; its interval 0 to {number(r.ci_high)} is an upper limit"
              for r in weights.table.itertuples() if r.ci_method == "bound"]
    table = _attribute_table(data, design, slopes, levels, adjusted.coefficients,
                             weights.table, disagree, policies, pairs, left_out, robust)
    return Effects(
        experiment_id=data.experiment_id, metric=metric, direction=data.direction,
        policy=policy, k=k, n_boot=n_boot, seed=seed, search_algo=data.search_algo,
        n_trials=len(data.frame), n_used=len(data.used),
        left_out={str(r): int(n) for r, n in left_out.items()},
        r_squared=weights.r_squared, r_squared_ci=(weights.r_squared_low,
                                                   weights.r_squared_high),
        attributes=table, slopes=slopes, levels=levels, coefficients=adjusted.coefficients,
        disagreement=disagree, importance=weights.table, sensitivity=policies.table,
        baseline=baseline(data, design, adjusted), associations=pairs, failures=rates,
        robustness=robust.table,
        findings=(all_left_out_statements(data, rates)
                  + attribute_findings(data, design, adjusted, slopes, levels, robust.fragile)
                  + repeats.findings + warnings),
        warnings=warnings, notes=notes, basis=repeats.basis, seed_noise=repeats.seed_noise,
        study=repeats.study,
    )


def _attribute_table(data: TrialData, design: Design, slopes: pd.DataFrame,
                     levels: pd.DataFrame, coefficients: pd.DataFrame,
                     weights: pd.DataFrame, disagree: pd.DataFrame, policies: Sensitivity,
                     pairs: pd.DataFrame, left_out: dict[str, int], robust: Robustness
                     ) -> pd.DataFrame:
    reasons = ", ".join(f"{r} {n}" for r, n in left_out.items())
    rows = []
    for name in data.attributes:
        numerical = name in data.numerical
        slope = slopes[slopes["attribute"] == name]
        coef = coefficients[coefficients["attribute"] == name]
        weight = weights[weights["attribute"] == name]
        m: Any = slope.iloc[0] if numerical else None  # a row of the slopes
        a = coef.iloc[0] if numerical and not coef.empty else None
        w = weight.iloc[0] if not weight.empty else None
        flags = ["disagreement"] if disagree[disagree["attribute"] == name]["disagree"].any() \
            else []
        flags += [f"policy {reason}" for reason in policies.flagged.get(name, [])]
        flags += ["fragile"] if name in robust.fragile else []
        for r in pairs[pairs["flagged"]].itertuples():
            if name in (r.attribute_a, r.attribute_b):
                other = r.attribute_b if name == r.attribute_a else r.attribute_a
                flags.append(f"confounded with {other}")
        nan = float("nan")
        rows.append({
            "attribute": name, "kind": ("numerical" if numerical else "subspace"
                                        if name in data.subspaces else "categorical"),
            "within": within(data, name),
            "scale": (m["scale"] if numerical else "levels"),
            "n_used": int(design.rows[name].sum()) if name in design.rows else len(design.y),
            "n_left_out": sum(left_out.values()),
            "left_out": reasons,
            "marginal": design.notes.get(name) or (_interval(m) if numerical
                                                   else _marginal_levels(levels, name)),
            "adjusted": design.notes.get(name) or (
                "not estimable" if coef.empty else _interval(a) if numerical
                else _adjusted_levels(coef)),
            "marginal_estimate": m["estimate"] if numerical else nan,
            "marginal_ci_low": m["ci_low"] if numerical else nan,
            "marginal_ci_high": m["ci_high"] if numerical else nan,
            "adjusted_estimate": a["estimate"] if a is not None else nan,
            "adjusted_ci_low": a["ci_low"] if a is not None else nan,
            "adjusted_ci_high": a["ci_high"] if a is not None else nan,
            "importance": w["share"] if w is not None else nan,
            "importance_ci_low": w["ci_low"] if w is not None else nan,
            "importance_ci_high": w["ci_high"] if w is not None else nan,
            "importance_ci_method": w["ci_method"] if w is not None else None,
            "importance_rank": w["rank"] if w is not None else None,
            "unique": w["unique"] if w is not None else nan,
            "fragile": name in robust.fragile,
            "flags": "; ".join(flags),
        })
    frame = pd.DataFrame(rows, columns=ATTRIBUTE_COLUMNS)
    frame["importance_rank"] = frame["importance_rank"].astype("Int64")
    return frame


def _interval(row: pd.Series) -> str:
    return (f"{number(row['estimate'], sign=True)} ({number(row['ci_low'])} to "
            f"{number(row['ci_high'])})")


def _marginal_levels(levels: pd.DataFrame, name: str) -> str:
    rows = levels[levels["attribute"] == name]
    parts: list[str] = []
    for r in rows.itertuples():
        if r.best:
            parts.insert(0, f"best {r.level} {number(r.mean)} ({number(r.ci_low)} to "
                            f"{number(r.ci_high)})")
        else:
            parts.append(f"{r.level} {number(r.diff_best, sign=True)} "
                         f"({number(r.diff_best_low)} to {number(r.diff_best_high)})")
    return "; ".join(parts)


def _adjusted_levels(coef: pd.DataFrame) -> str:
    parts = [f"{r.term} {number(r.estimate, sign=True)} ({number(r.ci_low)} to "
             f"{number(r.ci_high)})" for r in coef.itertuples()]
    return f"against {coef.iloc[0]['reference']}: " + "; ".join(parts)
