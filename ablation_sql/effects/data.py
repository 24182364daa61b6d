"""The trials an effects analysis uses: one reduced metric value and the attributes per trial.

Which trials count (``reason`` is None) — the first rule that applies gives the reason:

1. status: a trial is used only when its status is ``complete``, or ``unknown`` with a whole
   results.json; otherwise the reason is its status (``failed``, ``running`` — a running
   trial's best-so-far is biased —, ``pruned``, ``waiting``, ``missing``, ``unknown``);
2. ``null``: the reduced value is NULL (no value, or only NaN);
3. ``infinite``: the reduced value is ±inf;
4. ``unset``: one of the attributes that apply to the trial has no value in its config.

Attributes are the search space's numerical and categorical ones and its subspaces, nested ones
included (see conditions.py): a subspace is a categorical attribute whose level is the branch a
trial took; an attribute nested in a branch is NaN in the trials of other branches. What cannot
be analysed (a subspace whose branches have no distinct names, and what is nested in it) is
named in ``notes`` with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd

from ..errors import InputError
from ..ingest.flatten import flatten
from ..store.choices import POLICIES, check_reduction
from ..store.connection import connection
from ..store.sqlfiles import execute, fetch
from .conditions import Condition, applies, branch_names, declaring_branches

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["POLICIES", "Attributes", "TrialData", "load_policies", "load_trials",
           "read_attributes"]

_USABLE_STATUS = "complete"


@dataclass(frozen=True)
class TrialData:
    """Every trial of one experiment with one reduced metric value and its attribute values.

    ``frame`` columns: trial_uid, status, value (float; NaN for NULL, ±inf kept), reason (None
    when the row is used, else why not: see the module docstring), then one column per
    attribute named as in the ``trial_attributes`` view (numerical: float; categorical: text).
    """

    experiment_id: str
    metric: str
    direction: str
    policy: str
    frame: pd.DataFrame
    numerical: list[str]
    categorical: list[str]
    log: dict[str, bool]
    categories: dict[str, list[str]]
    defaults: dict[str, Any]
    search_algo: str | None
    k: int = 5
    subspaces: list[str] = field(default_factory=list)
    conditions: dict[str, Condition] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def attributes(self) -> list[str]:
        """Numerical then categorical attributes."""
        return self.numerical + self.categorical

    @property
    def used(self) -> pd.DataFrame:
        """The rows that are analysed (reason None)."""
        return self.frame[self.frame["reason"].isna()]

    def applies(self, name: str, *, used: bool = True) -> np.ndarray:
        """Whether attribute ``name`` applies to each used row (each row with ``used=False``)."""
        mask = applies(self.frame, self.conditions, name)
        return mask[self.frame["reason"].isna().to_numpy()] if used else mask


def load_trials(
    db: Connectable,
    metric: str,
    *,
    experiment: str | None = None,
    policy: str = "best",
    k: int = 5,
    direction: str | None = None,
) -> TrialData:
    """Read ``metric`` reduced by ``policy`` (best | last | mean_last of the last ``k``) and the
    attributes of every trial of ``experiment`` (None: the database's only experiment).

    ``direction`` (min | max) defaults to the experiment's optim_metrics. Raises InputError for
    an unknown experiment, metric or policy, or a metric without a known direction.
    """
    return load_policies(db, metric, [policy], experiment=experiment, k=k,
                         direction=direction)[policy]


def load_policies(db: Connectable, metric: str, policies: list[str], *,
                  experiment: str | None = None, k: int = 5, direction: str | None = None,
                  attributes: Attributes | None = None) -> dict[str, TrialData]:
    """``load_trials`` for each of ``policies``, the attributes read once (or taken from
    ``attributes``, ``read_attributes`` of the experiment, when given: several metrics of one
    experiment then read them once)."""
    for policy in policies:
        check_reduction(policy, k, direction)
    con = connection(db)
    if attributes is None or attributes.experiment_id != experiment:
        attributes = read_attributes(con, experiment)
    experiment = attributes.experiment_id
    metrics = attributes.metrics
    if metric not in metrics:
        raise InputError(f"no metric {metric!r} in experiment {experiment}; its metrics: "
                         f"{', '.join(metrics) or '(none)'}")
    direction = direction or metrics[metric]
    if direction is None:
        raise InputError(f"metric {metric} has no direction in experiment {experiment} (it is "
                         "not in optim_metrics): give it with --direction min or --direction "
                         "max (direction= in Python)")
    space = attributes.space
    trials, reduced = _reduced(con, experiment, metric, policies, k=k, direction=direction,
                               cached=metrics[metric] == direction)
    frames = _frames(trials, reduced, attributes.values, space.numerical, space.categorical,
                     space.conditions)
    out = {}
    for policy in policies:
        out[policy] = TrialData(
            experiment_id=experiment,
            metric=metric,
            direction=direction,
            policy=policy,
            frame=frames[policy],
            numerical=space.numerical,
            categorical=space.categorical,
            log=space.log,
            categories=space.categories,
            defaults=attributes.defaults,
            search_algo=attributes.search_algo,
            k=k,
            subspaces=space.subspaces,
            conditions=space.conditions,
            notes=space.notes,
        )
    return out


@dataclass(frozen=True)
class Attributes:
    """What ``load_policies`` reads of an experiment whatever the metric: its search space,
    every trial's attribute values, the master config's defaults and the metrics with their
    directions (None: not optimised)."""

    experiment_id: str
    search_algo: str | None
    space: _Space
    values: pd.DataFrame  # one row per trial_uid (the index), one column per attribute
    defaults: dict[str, Any]
    metrics: dict[str, str | None]


def read_attributes(db: Connectable, experiment: str | None = None) -> Attributes:
    """The attributes of ``experiment`` (None: the database's only experiment); InputError
    for an unknown one."""
    con = connection(db)
    experiments = {e: (algo, master)
                   for e, algo, master in execute(con, "effects/effects_experiments")}
    experiment = _experiment(experiment, list(experiments))
    space = _Space.of(execute(con, "effects/effects_space", experiment=experiment))
    values = _attribute_values(fetch(con, "effects/effects_levels", experiment=experiment),
                               space.numerical, space.categorical)
    algo, master = experiments[experiment]
    metrics = dict(execute(con, "effects/effects_metrics", experiment=experiment))
    return Attributes(experiment, algo, space, values, _defaults(master, space), metrics)


@dataclass
class _Space:
    """The attributes to analyse, from the effects_space rows."""

    numerical: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    subspaces: list[str] = field(default_factory=list)
    log: dict[str, bool] = field(default_factory=dict)
    categories: dict[str, list[str]] = field(default_factory=dict)
    declared: dict[str, Any] = field(default_factory=dict)  # a subspace's branches
    conditions: dict[str, Condition] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: list[tuple]) -> _Space:
        space = cls()
        for name, kind, log, cats, parent in rows:
            why = space._nest(name, parent) if parent is not None else None
            if why is not None:
                space.notes[name] = why
            elif kind == "numerical":
                space.numerical.append(name)
                space.log[name] = bool(log)
            elif kind == "categorical":
                space.categorical.append(name)
                space.categories[name] = [_as_text(c) for c in json.loads(cats or "[]")]
            else:
                subspaces = json.loads(cats or "null")
                names = branch_names(subspaces)
                if names is None:
                    space.notes[name] = ("a subspace whose branches have no distinct names "
                                         "(sub_configuration.name): not analysed")
                    continue
                space.categorical.append(name)
                space.subspaces.append(name)
                space.categories[name], space.declared[name] = names, subspaces
        return space

    def _nest(self, name: str, parent: str) -> str | None:
        """Record where ``name`` applies; or say why it cannot be analysed."""
        if parent not in self.subspaces:
            return f"nested in the subspace {parent}, which is not analysed"
        path = name.removeprefix(parent + ".").split(".")
        branches = declaring_branches(self.declared[parent], self.categories[parent], path)
        if not name.startswith(parent + ".") or not branches:
            return f"not found in any branch of the subspace {parent}: not analysed"
        self.conditions[name] = Condition(parent, branches)
        return None


def _experiment(experiment: str | None, known: list[str]) -> str:
    if experiment is None:
        if len(known) == 1:
            return known[0]
        if not known:
            raise InputError("the database holds no experiment")
        raise InputError(f"the database holds {len(known)} experiments: choose one with "
                         f"--experiment ID (experiment= in Python): {', '.join(known)}")
    if experiment not in known:
        raise InputError(f"no experiment {experiment!r}; experiments: {', '.join(known)}")
    return experiment


def _attribute_values(long: pd.DataFrame, numerical: list[str], categorical: list[str]
                      ) -> pd.DataFrame:
    """Each attribute's values by trial_uid from ``long`` (the effects_levels rows): float for
    numerical attributes, text (object) for categorical ones; NaN where a trial has none."""
    trial, uids = pd.factorize(long["trial_uid"])
    names = long["attribute"]
    out = {}
    for name in numerical + categorical:
        rows = (names == name).to_numpy(dtype=bool)
        numbers = name in numerical
        column = np.full(len(uids), np.nan, dtype=float if numbers else object)
        column[trial[rows]] = (long["x"].to_numpy(dtype=float)[rows] if numbers
                               else long["level"][rows].to_numpy(dtype=object))
        out[name] = column
    return pd.DataFrame(out, index=pd.Index(uids), columns=numerical + categorical)


def _reduced(con: duckdb.DuckDBPyConnection, experiment: str, metric: str,
             policies: list[str], *, k: int, direction: str, cached: bool
             ) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """The trials of ``experiment`` (trial_uid, status, results_complete, by trial_uid) and
    ``metric`` reduced by each of ``policies`` (in the trials' order): in one statement when
    best and last are cached (``cached``: the metric is optimised in ``direction``), else one
    ``trial_metric`` per policy."""
    if cached:
        rows = fetch(con, "effects/effects_policies", experiment=experiment, metric=metric,
                     direction=direction, k=k, mean_last="mean_last" in policies)
        return rows, {policy: rows[policy] for policy in policies}
    found = {policy: fetch(con, "effects/effects_trials", experiment=experiment, metric=metric,
                           reduction=policy, k=k, direction=direction)
             for policy in policies}
    return next(iter(found.values())), {policy: rows["value"] for policy, rows in found.items()}


def _frames(trials: pd.DataFrame, reduced: dict[str, pd.Series], values: pd.DataFrame,
            numerical: list[str], categorical: list[str], conditions: dict[str, Condition]
            ) -> dict[str, pd.DataFrame]:
    """Per policy, one row per trial (``trials``: trial_uid, status, results_complete) with its
    value (``reduced``), reason and attribute columns (``values``; NaN where a nested attribute
    does not apply)."""
    frame = trials[["trial_uid", "status"]].copy()
    index = values.index.get_indexer(frame["trial_uid"])
    found = index >= 0
    for name in numerical + categorical:
        column = np.full(len(frame), np.nan, dtype=float if name in numerical else object)
        column[found] = values[name].to_numpy()[index[found]]
        frame[name] = pd.Series(column, index=frame.index, dtype=column.dtype)
    outside = {name: ~applies(frame, conditions, name) for name in conditions}
    for name, mask in outside.items():
        frame.loc[mask, name] = np.nan if name in numerical else None
    status = frame["status"].fillna("unknown").astype(str).to_numpy()
    complete = trials["results_complete"].astype(bool).to_numpy()
    usable = (status == _USABLE_STATUS) | ((status == "unknown") & complete)
    unset = np.zeros(len(frame), dtype=bool)
    for name in numerical + categorical:
        unset |= frame[name].isna().to_numpy() & applies(frame, conditions, name)
    out = {}
    for policy, found_values in reduced.items():
        value = pd.to_numeric(found_values, errors="coerce").astype(float).to_numpy()
        reason = np.select([~usable, np.isnan(value), np.isinf(value), unset],
                           [status, "null", "infinite", "unset"], default="").astype(object)
        reason[reason == ""] = None
        policy_frame = frame.copy()
        policy_frame.insert(2, "value", value)
        policy_frame.insert(3, "reason", pd.Series(reason, index=frame.index, dtype=object))
        out[policy] = policy_frame.reset_index(drop=True)
    return out


def _defaults(master: str | None, space: _Space) -> dict[str, Any]:
    """Each attribute's value in the master config (numbers as float, levels as text; a
    subspace's branch name); a nested attribute's only when the master config takes one of
    its branches."""
    config = json.loads(master) if master else None
    if not isinstance(config, dict):
        return {}
    flat = dict(flatten(config, frozenset(space.subspaces)))
    out: dict[str, Any] = {}
    for name in space.numerical:
        value = flat.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            out[name] = float(value)
    for name in space.categorical:
        value = flat.get(name)
        if name in space.subspaces:
            value = value.get("name") if isinstance(value, dict) else None
        if value is not None:
            out[name] = _as_text(value)
    parents = [c.parent for c in space.conditions.values()]
    one = pd.DataFrame([out], columns=list(dict.fromkeys([*out, *parents])))
    return {name: value for name, value in out.items()
            if applies(one, space.conditions, name)[0]}


def _as_text(value: Any) -> str:
    """A categorical value as text, as attribute_levels writes it (JSON for non-strings)."""
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
