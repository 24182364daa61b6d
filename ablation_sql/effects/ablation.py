"""From the baseline to the best: an order-free ablation on a surrogate of the metric.

``ablation(db, metric)`` fits the surrogate (surrogate.py), then, from a source configuration
(default: the master config's defaults) to a target (default: the best used trial), gives each
differing attribute's Shapley contribution to the predicted change (shapley.py), the greedy
path a step-by-step ablation would take, every pair's interaction share (interactions.py) and
the top-quantile importance (top_quantile.py) beside the effects' variance shares.

The surrogate is fitted on at most ``fit_trials`` used trials: beyond, on a seeded sample of
them that holds the target (and source) trial, and the result says so (``n_fitted`` of
``n_used``); its intervals then are those of that sample. Every interval is a 95 % interval
over ``resamples`` bootstrap resamples of those trials (seeded), the surrogate refitted on each
with the chosen settings (not when it explains little: nothing is concluded from it then, and
its intervals are left empty): normal intervals for the contributions and the predicted change
(ablation_intervals.py), percentile ones for the interaction shares. The top-quantile
importance (no model) uses every used trial.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InputError
from .ablation_findings import findings
from .ablation_intervals import refit_ci
from .ablation_result import CONTRIBUTION_COLUMNS, INTERACTION_COLUMNS, Ablation, Surface
from .data import TrialData, load_trials
from .design import build_design
from .importance import importance
from .interactions import MIN_SHARE, interaction_plan
from .intervals import percentile_ci
from .names import short_names
from .shapley import MAX_EXACT, PERMUTATIONS, shapley_plan
from .surrogate import FIT_TRIALS, Surrogate, encoding, fit_surrogate, in_threads, single_threaded
from .top_quantile import top_quantile_importance

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["MIN_USED", "ablation", "ablation_of"]

MIN_USED = 10
SURFACES = 3  # the top pairs drawn as 2-D partial dependence

Configuration = Mapping[str, Any] | int | str | None


def ablation(db: Connectable, metric: str, source: Configuration = None,
             target: Configuration = None, experiment: str | None = None,
             policy: str = "best", *, resamples: int = 200, seed: int = 0, top: float = 0.1,
             k: int = 5, direction: str | None = None, fit_trials: int = FIT_TRIALS
             ) -> Ablation:
    """The ablation of ``metric`` from ``source`` to ``target`` (each None, a trial_uid, or a
    mapping of attribute names, full or short, to values; see the module). Raises InputError
    for unknown names or values, too few used trials, or bad parameters."""
    data = load_trials(db, metric, experiment=experiment, policy=policy, k=k,
                       direction=direction)
    return ablation_of(data, source, target, resamples=resamples, seed=seed, top=top,
                       fit_trials=fit_trials)


def ablation_of(data: TrialData, source: Configuration = None, target: Configuration = None,
                *, resamples: int = 200, seed: int = 0, top: float = 0.1,
                fit_trials: int = FIT_TRIALS) -> Ablation:
    """The ablation of the trials ``data`` holds (see ``ablation``)."""
    if resamples < 2:
        raise InputError("resamples must be at least 2")
    if fit_trials < MIN_USED:
        raise InputError(f"fit_trials must be at least {MIN_USED}")
    if not 0 < top < 1:
        raise InputError(f"top must be a share between 0 and 1, not {top}")
    metric, policy = data.metric, data.policy
    if len(data.used) < MIN_USED:
        raise InputError(f"only {len(data.used)} of {len(data.frame)} trials of "
                         f"{data.experiment_id} can be used for {metric}: an ablation on a "
                         f"surrogate needs at least {MIN_USED}")
    notes: list[str] = []
    src, src_label, src_uid = _configuration(data, source, "source", notes)
    tgt, tgt_label, tgt_uid = _configuration(data, target, "target", notes)
    whole, data = data, _fit_sample(data, {src_uid, tgt_uid}, fit_trials, seed)
    encoding(data).encode(pd.DataFrame([src, tgt]))  # unusable values fail before the fit
    model = fit_surrogate(data, seed=seed)
    code = model.encoding
    for name in code.attributes:  # no value on one side: it does not change
        if src.get(name) is None and _applies(data, src, name) and tgt.get(name) is not None:
            src[name] = tgt[name]
            notes.append(f"{name}: the source has no value; it keeps the target's")
    differ = [a for a in code.attributes if not _same(src.get(a), tgt.get(a))]
    plan = shapley_plan(len(differ), seed=seed)
    pairs = interaction_plan(data, code, seed=seed)
    used = data.used.reset_index(drop=True)
    hybrids = pd.DataFrame([{a: (tgt if a in differ and mask[differ.index(a)] else src)
                             .get(a) for a in code.attributes} for mask in plan.masks])
    queries = pd.concat([hybrids, pairs.configs[code.attributes], used[code.attributes]],
                        ignore_index=True)
    x_query = code.encode(queries)
    parts = np.cumsum([0, len(hybrids), len(pairs.configs), len(used)])
    samples = np.random.default_rng([seed, 3]).integers(0, len(used), size=(resamples,
                                                                         len(used)))
    boots = (np.empty((0, len(x_query))) if model.explains_little  # no conclusion to support
             else _refits(model, data, x_query, samples))
    with single_threaded():
        point = model.model.predict(x_query)
    both = np.column_stack([point, boots.T])  # column 0: the full model

    phi = plan.values(both[parts[0]:parts[1]])
    change = both[parts[1] - 1] - both[0] if len(differ) else np.zeros(both.shape[1])
    phi_low, phi_high = refit_ci(phi[:, 0], phi[:, 1:].T)
    change_ci = refit_ci(change[0], change[1:])
    variance = both[parts[2]:parts[3]].var(axis=0)
    shares = pairs.shares(both[parts[1]:parts[2]], variance)
    share_low, share_high = percentile_ci(shares[:, 0], shares[:, 1:].T, bounds=(0.0, math.inf))
    path = _greedy(model, src, tgt, differ, data.direction)
    contributions = pd.DataFrame([
        (a, _text(src.get(a)), _text(tgt.get(a)), phi[i, 0], phi_low[i], phi_high[i],
         not model.explains_little and (phi_low[i] > 0 or phi_high[i] < 0),
         path[a][0], path[a][1]) for i, a in enumerate(differ)], columns=CONTRIBUTION_COLUMNS)
    contributions = contributions.sort_values("contribution", key=abs, ascending=False,
                                              kind="stable").reset_index(drop=True)
    interactions = pd.DataFrame([
        (a, b, shares[j, 0], share_low[j], share_high[j],
         not model.explains_little and share_low[j] >= MIN_SHARE)
        for j, (a, b) in enumerate(pairs.pairs)], columns=INTERACTION_COLUMNS)
    interactions = interactions.sort_values("share", ascending=False,
                                            kind="stable").reset_index(drop=True)
    top_samples: Iterable[np.ndarray] = samples
    n_used = len(whole.used)
    if n_used > len(used):  # every used trial's resamples, one at a time
        draw = np.random.default_rng([seed, 4])
        top_samples = (draw.integers(0, n_used, size=n_used) for _ in range(resamples))
        notes.append(f"The surrogate is fitted on {len(used)} of the {n_used} used "
                     f"trials (drawn with the seed; a source or target trial is always in "
                     f"it): its numbers and intervals are those of that sample (fit_trials, "
                     f"--fit-trials).")
    tops = top_quantile_importance(whole, code, top_samples, top=top)
    variance_share = importance(build_design(whole), n_boot=0, seed=seed).table
    tops = tops.merge(variance_share[["attribute", "share", "rank"]].rename(
        columns={"share": "variance_share", "rank": "variance_rank"}), on="attribute",
        how="left")
    if model.explains_little:
        notes.append("No intervals for the surrogate's numbers: it explains little, so it is "
                     "not refitted on resamples.")
    if not plan.exact:
        notes.append(f"{len(differ)} attributes differ, more than {MAX_EXACT}: the Shapley "
                     f"values are sampled from {PERMUTATIONS} random orders, not exact.")
    surfaces = [Surface(r.attribute_a, r.attribute_b, pairs.grids[r.attribute_a].values,
                        pairs.grids[r.attribute_b].values,
                        pairs.surface((r.attribute_a, r.attribute_b), point[parts[1]:parts[2]]),
                        r.share, bool(code.logged.get(r.attribute_a)))
                for r in interactions.head(SURFACES).itertuples()]
    result = dict(
        experiment_id=data.experiment_id, metric=metric, direction=data.direction,
        policy=policy, resamples=resamples, seed=seed, top=top, n_used=n_used,
        n_fitted=len(used),
        source=src, target=tgt, source_label=src_label, target_label=tgt_label,
        surrogate={"model": model.name, "params": model.params, "cv_r2": model.cv_r2,
                   "candidates": model.scores},
        explains_little=model.explains_little, exact=plan.exact,
        predicted_change=(float(change[0]), float(change_ci[0]), float(change_ci[1])),
        predicted_source=float(point[0]),
        contributions=contributions, interactions=interactions, top_quantile=tops,
        notes=notes, surfaces=surfaces)
    said = findings(whole, model, result, pairs, both[parts[1]:parts[2]])
    return Ablation(findings=said, **result)


def _fit_sample(data: TrialData, keep: set[str | None], fit_trials: int, seed: int
                ) -> TrialData:
    """``data`` with at most ``fit_trials`` used trials (only those): a sample drawn with the
    seed that holds the trials named in ``keep``; ``data`` itself when it has no more."""
    used = data.used
    if len(used) <= fit_trials:
        return data
    uids = used["trial_uid"].astype(str).to_numpy()
    held = np.isin(uids, [u for u in keep if u is not None])
    others = np.random.default_rng([seed, 5]).permutation(np.flatnonzero(~held))
    rows = np.sort(np.concatenate([np.flatnonzero(held),
                                   others[:fit_trials - int(held.sum())]]))
    return dataclasses.replace(data, frame=used.iloc[rows])


def _refits(model: Surrogate, data: TrialData, x_query: np.ndarray, samples: np.ndarray
            ) -> np.ndarray:
    """The predictions at ``x_query`` of the surrogate refitted on each bootstrap resample
    (``samples``: row indices of the used trials), resamples × rows."""
    x = model.encoding.encode(data.used)
    y = data.used["value"].to_numpy(dtype=float)
    with single_threaded():
        return np.array(in_threads(lambda s: model.refit(x[s], y[s]).predict(x_query),
                                   list(samples), model.fit_threads))


def _greedy(model: Surrogate, src: dict[str, Any], tgt: dict[str, Any], differ: list[str],
            direction: str) -> dict[str, tuple[int, float]]:
    """Each differing attribute's step on the greedy path (the best predicted change first)
    and the predicted value after it, from the full surrogate."""
    current, left, out = dict(src), list(differ), {}
    sign = 1.0 if direction == "max" else -1.0
    while left:
        trials = pd.DataFrame([{**current, a: tgt.get(a)} for a in left])
        predicted = model.model.predict(model.encoding.encode(trials))
        best = int(np.argmax(sign * predicted))
        name = left.pop(best)
        current[name] = tgt.get(name)
        out[name] = (len(differ) - len(left), float(predicted[best]))
    return out


def _configuration(data: TrialData, spec: Configuration, role: str, notes: list[str]
                   ) -> tuple[dict[str, Any], str, str | None]:
    """The configuration ``spec`` names, as attribute name to value, how to call it, and its
    trial_uid when it is a trial's."""
    names = short_names(data.attributes)
    defaults = {a: data.defaults.get(a) for a in data.attributes}
    if spec is None and role == "source":
        missing = [names[a] for a in data.attributes if a not in data.defaults
                   and _applies(data, defaults, a)]
        if missing:
            notes.append(f"the master config has no value for {', '.join(missing)}")
        return defaults, "the master config's defaults", None
    if isinstance(spec, Mapping):
        full = {n: a for a in data.attributes for n in (a, names[a])}
        unknown = [str(n) for n in spec if n not in full]
        if unknown:
            raise InputError(f"{role}: no attribute {', '.join(unknown)}; attributes: "
                             f"{', '.join(names.values())}")
        given = {full[n]: v for n, v in spec.items()}
        return defaults | given, f"the {role} configuration", None
    used = data.used
    if spec is None:
        values = used["value"].to_numpy(dtype=float)
        at = int(np.argmax(values) if data.direction == "max" else np.argmin(values))
        row = used.iloc[at]
        return (_row(data, row), f"the best trial {row['trial_uid']} ({data.metric} "
                f"{row['value']:.4g})", str(row["trial_uid"]))
    rows = data.frame[data.frame["trial_uid"].astype(str) == str(spec)]
    if rows.empty:
        raise InputError(f"{role}: no trial {spec!r} in experiment {data.experiment_id}")
    row = rows.iloc[0]
    if row["reason"] is not None:
        notes.append(f"{role} trial {spec} is not used by the surrogate ({row['reason']})")
    return _row(data, row), f"trial {row['trial_uid']}", str(row["trial_uid"])


def _row(data: TrialData, row: pd.Series) -> dict[str, Any]:
    return {a: (None if pd.isna(row[a]) else row[a]) for a in data.attributes}


def _applies(data: TrialData, config: Mapping[str, Any], name: str) -> bool:
    condition = data.conditions.get(name)
    if condition is None:
        return True
    return (config.get(condition.parent) in condition.branches
            and _applies(data, config, condition.parent))


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=0.0)
    return str(a) == str(b)


def _text(value: Any) -> str | None:
    return None if value is None else f"{value:.4g}" if isinstance(value, float) else str(value)
