"""Repeats and comparisons end to end: ``repeats`` (every configuration, against the best or
the baseline) and ``compare`` (two configurations), each a result that says what it found in
words and renders as ``ablation-sql repeats`` / ``compare`` print it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import InputError
from .compare import compare_samples, comparisons, resolve
from .findings import number
from .names import short_names
from .repeats import RepeatData, configuration_table, load_repeats
from .text import TableWithFindings

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["Comparison", "Repeats", "compare", "repeats"]

NO_REPEATS = ("no configuration was run with more than one seed: differences between single "
              "trials include seed noise of unknown size")
AGAINST = ("best", "baseline")


@dataclass(frozen=True)
class Repeats(TableWithFindings):
    """Every configuration of a metric: ``configurations`` (repeats.CONFIGURATION_COLUMNS),
    ``comparisons`` (each against ``against``: compare.COMPARISON_COLUMNS), ``findings``."""

    metric: str
    direction: str
    policy: str
    against: str
    min_seeds: int
    data: RepeatData
    configurations: pd.DataFrame
    comparisons: pd.DataFrame
    findings: list[str] = field(default_factory=list)

    @property
    def has_repeats(self) -> bool:
        """Whether some configuration was run more than once."""
        return bool((self.configurations["n"] > 1).any())

    def to_frame(self) -> pd.DataFrame:
        """The configurations with their comparison against ``against`` (vs_* columns)."""
        vs = self.comparisons.drop(columns=["b", "n_a", "n_b"]).rename(
            columns=lambda c: c if c == "a" else f"vs_{self.against}_{c}")
        frame = self.configurations.merge(vs, how="left", left_on="configuration",
                                          right_on="a").drop(columns=["a"])
        frame["attributes"] = _attribute_text(frame.pop("attributes"))
        return frame


@dataclass(frozen=True)
class Comparison(TableWithFindings):
    """Configuration ``a`` against ``b``: one row of compare.COMPARISON_COLUMNS, a sentence."""

    metric: str
    direction: str
    table: pd.DataFrame
    findings: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The table the command prints."""
        return self.table


def repeats(db: Connectable, metric: str, *, experiment: str | None = None,
            policy: str = "best", k: int = 5, direction: str | None = None,
            seed_attributes: list[str] | None = None, min_seeds: int = 3,
            against: str = "best", n_boot: int = 2000, seed: int = 0) -> Repeats:
    """Every configuration's statistics on ``metric`` and its comparison against the best (of
    those with at least ``min_seeds`` trials) or the baseline. Raises InputError for unknown
    names or when no trial can be used."""
    if against not in AGAINST:
        raise InputError(f"against must be one of {', '.join(AGAINST)}, not {against!r}")
    _check(min_seeds, n_boot)
    data = load_repeats(db, metric, experiment=experiment, policy=policy, k=k,
                        direction=direction, seed_attributes=seed_attributes)
    _need_used(data)
    table = configuration_table(data, min_seeds=min_seeds, n_boot=n_boot, seed=seed)
    versus = comparisons(data, against, table)
    return Repeats(metric, data.direction, policy, against, min_seeds, data, table, versus,
                   _findings(data, table, versus, against, min_seeds))


def compare(db: Connectable, a: str, b: str, metric: str, *, experiment: str | None = None,
            policy: str = "best", k: int = 5, direction: str | None = None,
            seed_attributes: list[str] | None = None) -> Comparison:
    """Configuration ``a`` against ``b`` (each a key, a unique key prefix or a trial_uid)."""
    data = load_repeats(db, metric, experiment=experiment, policy=policy, k=k,
                        direction=direction, seed_attributes=seed_attributes)
    key_a, key_b = resolve(data, a), resolve(data, b)
    samples = data.samples()
    row = {"a": key_a, "b": key_b, **compare_samples(samples[key_a], samples[key_b],
                                                     data.direction)}
    table = pd.DataFrame([row])
    return Comparison(metric, data.direction, table, [_comparison_sentence(row, metric)])


def _attribute_text(attributes: pd.Series) -> list[str]:
    """Each configuration's attributes as ``name=value, ...`` with short names."""
    parsed = [json.loads(a) if isinstance(a, str) else {} for a in attributes]
    names = short_names(sorted({n for p in parsed for n in p}))
    return [", ".join(f"{names[n]}={v:.4g}" if isinstance(v, float) else f"{names[n]}={v}"
                      for n, v in p.items()) for p in parsed]


def _check(min_seeds: int, n_boot: int) -> None:
    if min_seeds < 1 or n_boot < 1:
        raise InputError("min_seeds and n_boot must be at least 1")


def _need_used(data: RepeatData) -> None:
    if data.used.empty:
        left = data.frame["reason"].value_counts().to_dict()
        reasons = ", ".join(f"{r} {n}" for r, n in left.items()) or "no trials"
        raise InputError(f"no trial has a usable {data.metric} value (left out: {reasons})")


def _findings(data: RepeatData, table: pd.DataFrame, versus: pd.DataFrame, against: str,
              min_seeds: int) -> list[str]:
    """The configurations, the best and the comparisons in words."""
    repeated = table[table["n"] > 1]
    out = [f"{len(table)} configurations in {len(data.used)} used trials "
           f"({data.metric}, {data.policy}, {data.direction} is better); "
           + (f"{len(repeated)} run with more than one seed (up to {table['n'].max()})."
              if len(repeated) else NO_REPEATS + ".")]
    best = table[table["rank"] == 1]
    if best.empty:
        out.append(f"No configuration has {min_seeds} or more seeds: none is called best.")
    else:
        b = best.iloc[0]
        out.append(f"Best among the configurations with at least {min_seeds} seeds: "
                   f"{b['configuration']}, mean {number(b['mean'])} (95 % CI "
                   f"{number(b['ci_low'])} to {number(b['ci_high'])}, {_seeds(b['n'])}).")
    for r in table[table["note"].str.startswith("leads")].itertuples():
        out.append(f"{r.configuration} {r.note} (mean {number(r.mean)}): too few to be "
                   "called best.")
    if not data.baseline:
        out.append("No configuration runs the baseline (the master config's defaults).")
    if not versus.empty:
        target = versus["b"].iloc[0]
        counts = versus["verdict"].value_counts()
        worse = int(counts.get("B better", 0))
        unclear = int(counts.get("no clear difference", 0))
        few = int(counts.get("too few seeds", 0))
        better = int(counts.get("A better", 0))
        out.append(f"Against the {against} ({target}): {worse} configurations are worse "
                   f"beyond seed noise, {better} better, {unclear} not distinguishable (the "
                   f"difference's 95 % CI spans zero), {few} with too few seeds to say.")
    return out


def _comparison_sentence(row: dict, metric: str) -> str:
    if row["verdict"] == "too few seeds":
        return (f"{row['a']} ({_seeds(row['n_a'])}) against {row['b']} "
                f"({_seeds(row['n_b'])}): each "
                "needs at least 2 seeds for an interval; difference "
                f"{number(row['difference'], sign=True)} {metric}.")
    verdict = {"A better": f"{row['a']} is better", "B better": f"{row['b']} is better",
               "no clear difference": "no clear difference"}[row["verdict"]]
    return (f"{row['a']} ({_seeds(row['n_a'])}) against {row['b']} "
            f"({_seeds(row['n_b'])}): "
            f"difference {number(row['difference'], sign=True)} {metric} (95 % CI "
            f"{number(row['ci_low'])} to {number(row['ci_high'])}); P({row['a']} better) = "
            f"{number(row['p_better'])} (95 % CI {number(row['p_low'])} to "
            f"{number(row['p_high'])}): {verdict}.")


def _seeds(n: int) -> str:
    return f"{n} seed{'' if n == 1 else 's'}"
