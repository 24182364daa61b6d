"""The effects analysis when configurations repeat: average each configuration's trials (the
analyses then count configurations, not seeds), measure the seed noise, and set the experiment
beside the others that share its search space (study.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from ..store.connection import connection
from ..store.sqlfiles import fetch
from .data import TrialData, load_trials
from .findings import number
from .seed_noise import SeedNoise, configuration_means, seed_noise_share
from .study import STUDY_COLUMNS, contradiction_warnings, study_table

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["RepeatContext", "configuration_keys", "with_repeats"]


@dataclass(frozen=True)
class RepeatContext:
    """The datasets to analyse (configuration means when repeats exist), the seed noise, how
    the intervals treat repeats (``basis``), the per-experiment table and its warnings."""

    datasets: dict[str, TrialData]
    seed_noise: SeedNoise | None
    basis: str
    study: pd.DataFrame
    findings: list[str]
    warnings: list[str]


def configuration_keys(db: Connectable, experiment: str) -> pd.DataFrame | None:
    """Each trial's configuration and search space, of ``experiment`` and of the experiments
    that share its search space (None: the database's views predate configurations)."""
    try:
        found = fetch(connection(db), "effects/effects_configurations", experiment=experiment)
    except duckdb.CatalogException:
        return None
    return found.rename(columns={"search_space": "space"})


def with_repeats(db: Connectable, datasets: dict[str, TrialData], policy: str, *, k: int,
                 direction: str | None, keys: pd.DataFrame | None) -> RepeatContext:
    """``datasets`` (policy -> trials of one experiment) adjusted for repeats; ``keys``: the
    experiment's ``configuration_keys``."""
    data = datasets[policy]
    if keys is None:  # views older than the configurations: no repeats known
        return RepeatContext(datasets, None, "trials (repeats unknown: the database's views "
                             "predate them)", pd.DataFrame(columns=STUDY_COLUMNS), [], [])
    own = keys[keys["experiment_id"] == data.experiment_id]
    own = own.set_index("trial_uid")["configuration"]
    used = data.used
    noise = seed_noise_share(used["value"].to_numpy(dtype=float),
                             used["trial_uid"].map(own).fillna(used["trial_uid"]).to_numpy())
    findings, basis = [], "trials (every configuration was run once)"
    if noise.repeated:
        datasets = {p: configuration_means(d, own) for p, d in datasets.items()}
        basis = (f"configuration means: {noise.trials} trials in {noise.configurations} "
                 f"configurations, {noise.repeated} run more than once; repeats are not "
                 "counted as independent evidence")
        findings.append(f"Seed noise: {number(100 * noise.share)} % of the variance of "
                        f"{data.metric} lies within configurations (95 % CI "
                        f"{number(100 * noise.ci_low)} to {number(100 * noise.ci_high)} %), "
                        "the rest between them; intervals are computed on configuration "
                        "means.")
    others = sorted(set(keys["experiment_id"].unique()) - {data.experiment_id})
    if not others:
        return RepeatContext(datasets, noise, basis, pd.DataFrame(columns=STUDY_COLUMNS),
                             findings, [])
    runs = {e: load_trials(db, data.metric, experiment=e, policy=policy, k=k,
                           direction=direction) for e in [data.experiment_id, *others]}
    every = keys.drop_duplicates("trial_uid").set_index("trial_uid")["configuration"]
    study = study_table(runs, every)
    return RepeatContext(datasets, noise, basis, study, findings, contradiction_warnings(study))
