"""Repeats: trials that run one configuration (equal attributes but for their seed attributes,
see the ``trial_configuration`` macro), within an experiment or across experiments that share a
search space, and the statistics of each configuration.

A trial counts (``reason`` None) under the rules of ``data.py``: complete (or unknown with a
whole results.json) and a finite reduced value. Per configuration: ``n`` trials used, distinct
``seeds``, mean, sd, interquartile mean (IQM, scipy's ``trim_mean`` at 25 %), a 95 % interval for
the mean (Student's t on the seeds: exact under normal seed noise, where a bootstrap of 2 to 5
seeds is far too narrow) and for the IQM (percentile bootstrap over its seeds, from 3 seeds).
The best configuration is chosen among those with at least ``min_seeds`` trials; better-ranked
ones with fewer are marked "leads on N seed(s)".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..ingest.flatten import flatten
from ..store.choices import check_reduction
from ..store.connection import connection
from ..store.fetch import one_line
from ..store.sqlfiles import execute

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["CONFIGURATION_COLUMNS", "RepeatData", "configuration_table", "load_repeats"]

LEVEL = 0.95
CONFIGURATION_COLUMNS = [
    "rank", "configuration", "n", "seeds", "mean", "ci_low", "ci_high", "sd", "iqm",
    "iqm_low", "iqm_high", "experiments", "baseline", "note", "attributes",
]


@dataclass(frozen=True)
class RepeatData:
    """Every trial with its configuration and reduced value. ``frame`` columns:
    experiment_id, trial_uid, configuration, search_space, attributes (JSON text), seed,
    status, value, reason (None: used). ``baseline``: the configurations that run the master
    config's defaults."""

    metric: str
    direction: str
    policy: str
    k: int
    frame: pd.DataFrame
    baseline: frozenset[str]

    @property
    def used(self) -> pd.DataFrame:
        """The trials analysed."""
        return self.frame[self.frame["reason"].isna()]

    def samples(self) -> dict[str, np.ndarray]:
        """Each configuration's used values (configurations with none left out)."""
        return {c: g["value"].to_numpy(dtype=float)
                for c, g in self.used.groupby("configuration", sort=True)}

    def sign(self) -> float:
        """+1 when higher is better, -1 when lower is."""
        return 1.0 if self.direction == "max" else -1.0


def load_repeats(db: Connectable, metric: str, *, experiment: str | None = None,
                 policy: str = "best", k: int = 5, direction: str | None = None,
                 seed_attributes: list[str] | None = None) -> RepeatData:
    """The trials of ``experiment`` (None: of every experiment) with their configuration and
    ``metric`` reduced by ``policy``. Raises InputError for unknown names, a metric without a
    (single) direction, or a database whose views predate configurations."""
    check_reduction(policy, k, direction)
    seeds = None if seed_attributes is None else ",".join(seed_attributes)
    if seeds is not None and any("," in s or not s for s in seed_attributes or []):
        raise InputError("seed attribute names must be non-empty and hold no comma")
    con = connection(db)
    try:
        rows = execute(con, "effects/repeats_trials", metric=metric, reduction=policy, k=k,
                       direction=direction, experiment=experiment, seed_attributes=seeds)
        masters = execute(con, "effects/effects_experiments")
    except duckdb.CatalogException as exc:
        raise InputError(f"{one_line(exc)}: the database's views are older than this version "
                         "of ablation_sql; open it read-write once (any ingest) to refresh "
                         "them") from None
    except duckdb.Error as exc:
        raise InputError(one_line(exc)) from None
    columns = ["experiment_id", "trial_uid", "configuration", "search_space", "attributes",
               "seed", "status", "results_complete", "value", "direction"]
    frame = pd.DataFrame(rows, columns=columns)
    if experiment is not None and frame.empty:
        known = [e for e, _, _ in masters]
        raise InputError(f"no experiment {experiment!r}; experiments: {', '.join(known)}")
    directions = set(frame["direction"].dropna())
    if direction is None and len(directions) != 1:
        found = ("the directions " + " and ".join(sorted(directions))) if directions \
            else "no direction"
        raise InputError(f"metric {metric} has {found} in optim_metrics: give it with "
                         "--direction min or --direction max (direction= in Python)")
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["reason"] = _reasons(frame)
    baseline = _baseline(frame, {e: m for e, _, m in masters})
    return RepeatData(metric, direction or directions.pop(), policy, k,
                      frame.drop(columns=["results_complete", "direction"]), baseline)


def configuration_table(data: RepeatData, *, min_seeds: int = 3, n_boot: int = 2000,
                        seed: int = 0) -> pd.DataFrame:
    """One row per configuration with a used trial (see ``CONFIGURATION_COLUMNS``), best
    first; ``rank`` 1 is the best among those with at least ``min_seeds`` trials."""
    rng = np.random.default_rng(seed)
    used = data.used
    once = used.groupby("configuration")["value"].transform("size").to_numpy() == 1
    rows = []
    for key, group in used[~once].groupby("configuration", sort=True):
        x = group["value"].to_numpy(dtype=float)
        mean, sd = float(x.mean()), float(x.std(ddof=1)) if len(x) > 1 else math.nan
        low, high = _t_interval(x)
        iqm_low, iqm_high = _iqm_interval(x, n_boot, rng)
        rows.append({
            "configuration": key, "n": len(x),
            "seeds": int(group["seed"].nunique()) if group["seed"].notna().all() else len(x),
            "mean": mean, "ci_low": low, "ci_high": high, "sd": sd,
            "iqm": float(stats.trim_mean(x, 0.25)), "iqm_low": iqm_low, "iqm_high": iqm_high,
            "experiments": ", ".join(sorted(group["experiment_id"].unique())),
            "baseline": key in data.baseline, "attributes": group["attributes"].iloc[0],
        })
    columns = [c for c in CONFIGURATION_COLUMNS if c not in ("rank", "note")]
    table = _with_single_trials(pd.DataFrame(rows, columns=columns), used[once], data.baseline)
    table = table.sort_values("mean", ascending=data.direction == "min", kind="stable")
    table = table.reset_index(drop=True)
    enough = table["n"] >= min_seeds
    table.insert(0, "rank", pd.array([pd.NA] * len(table), dtype="Int64"))
    table.loc[enough, "rank"] = np.arange(1, int(enough.sum()) + 1)
    first = int(np.argmax(enough.to_numpy())) if enough.any() else len(table)
    table["note"] = ["best" if i == first else
                     f"leads on {n} seed{'s' if n > 1 else ''}" if i < first else
                     "" if ok else f"{n} seed{'s' if n > 1 else ''}: not ranked"
                     for i, (n, ok) in enumerate(zip(table["n"], enough, strict=True))]
    return table[CONFIGURATION_COLUMNS]


def _with_single_trials(table: pd.DataFrame, single: pd.DataFrame, baseline: frozenset[str]
                        ) -> pd.DataFrame:
    """``table`` with a row for each configuration run once (``single``: its trial), in
    configuration order: its value is the mean and the IQM, with no interval and no sd."""
    if single.empty:
        return table
    value = single["value"].to_numpy(dtype=float)
    nan = np.full(len(single), math.nan)
    rows = pd.DataFrame({
        "configuration": single["configuration"].to_numpy(), "n": 1, "seeds": 1,
        "mean": value, "ci_low": nan, "ci_high": nan, "sd": nan, "iqm": value,
        "iqm_low": nan, "iqm_high": nan, "experiments": single["experiment_id"].to_numpy(),
        "baseline": single["configuration"].isin(baseline).to_numpy(),
        "attributes": single["attributes"].to_numpy()}, columns=table.columns)
    both = pd.concat([table, rows], ignore_index=True) if len(table) else rows
    return both.sort_values("configuration", kind="stable", ignore_index=True)


def _t_interval(x: np.ndarray) -> tuple[float, float]:
    """The 95 % Student's t interval of the mean (NaN with fewer than 2 values)."""
    if len(x) < 2:
        return math.nan, math.nan
    half = stats.t.ppf(0.5 + LEVEL / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean() - half), float(x.mean() + half)


def _iqm_interval(x: np.ndarray, n_boot: int, rng: np.random.Generator
                  ) -> tuple[float, float]:
    """The percentile bootstrap interval of the IQM (NaN with fewer than 3 values), widened
    to contain the estimate when a discrete resampling distribution misses it."""
    if len(x) < 3:
        return math.nan, math.nan
    res = stats.bootstrap((x,), lambda s, axis: stats.trim_mean(s, 0.25, axis=axis),
                          n_resamples=n_boot, method="percentile", confidence_level=LEVEL,
                          rng=rng, vectorized=True)
    iqm = float(stats.trim_mean(x, 0.25))
    return (min(float(res.confidence_interval.low), iqm),
            max(float(res.confidence_interval.high), iqm))


def _reasons(frame: pd.DataFrame) -> pd.Series:
    """Why a trial is left out (None: used): its status, or a NULL / infinite value."""
    status = frame["status"].fillna("unknown").astype(str)
    usable = (status == "complete") | ((status == "unknown") & frame["results_complete"])
    value = frame["value"].to_numpy()
    reason = np.select([~usable.to_numpy(), np.isnan(value), np.isinf(value)],
                       [status.to_numpy(), "null", "infinite"], default="").astype(object)
    reason[reason == ""] = None
    return pd.Series(reason, index=frame.index, dtype=object)


def _baseline(frame: pd.DataFrame, masters: dict[str, str | None]) -> frozenset[str]:
    """The configurations whose every attribute has its master config's default value."""
    found = set()
    for row in frame.drop_duplicates(["experiment_id", "configuration"]).itertuples():
        master = json.loads(masters.get(row.experiment_id) or "null")
        attributes = json.loads(row.attributes) if isinstance(row.attributes, str) else {}
        if isinstance(master, dict) and attributes:
            flat = dict(flatten(master, frozenset(attributes)))
            if all(_same(flat.get(name, _MISSING), value) for name, value in attributes.items()):
                found.add(row.configuration)
    return frozenset(found)


_MISSING = object()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-12)
    return a == b
