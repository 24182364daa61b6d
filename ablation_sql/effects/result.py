"""The result of an effects analysis: every table, the findings and the warnings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from ..store.values import json_scalar
from .seed_noise import SeedNoise
from .study import STUDY_COLUMNS

__all__ = ["ATTRIBUTE_COLUMNS", "Effects"]

# The one-row-per-attribute table (``Effects.to_frame``):
#   attribute, kind (numerical | categorical | subspace: the branch a trial took), within (where
#   an attribute nested in a subspace applies, e.g. "optimizer_config is adam"; "" at the top
#   level), scale (numerical: per unit | per 10x; categorical: levels), n_used (the trials it
#   is estimated on), n_left_out, left_out (the reasons with counts), marginal / adjusted (the
#   effect as text: a slope with its CI, or each level's difference with its CI),
#   marginal_estimate .. adjusted_ci_high (numerical attributes' slopes; NaN for categorical),
#   importance (LMG share of the variance) with its CI, the CI's method (intervals.py: BCa |
#   bound | percentile) and rank, unique (drop in R² without the attribute), fragile
#   (robustness.py: a clear conclusion changes without the influential trials or on ranks),
#   flags (disagreement | policy sign | policy rank | fragile | confounded with <other>).
ATTRIBUTE_COLUMNS = [
    "attribute", "kind", "within", "scale", "n_used", "n_left_out", "left_out", "marginal",
    "adjusted",
    "marginal_estimate", "marginal_ci_low", "marginal_ci_high", "adjusted_estimate",
    "adjusted_ci_low", "adjusted_ci_high", "importance", "importance_ci_low",
    "importance_ci_high", "importance_ci_method", "importance_rank", "unique", "fragile",
    "flags",
]


@dataclass(frozen=True)
class Effects:
    """Effects of each attribute of one experiment on one metric.

    Tables (DataFrames; columns documented in the module that computes each): ``attributes``
    (one row per attribute, see ``ATTRIBUTE_COLUMNS``), ``slopes`` and ``levels`` (marginal),
    ``coefficients`` (adjusted), ``disagreement``, ``importance``, ``sensitivity``,
    ``baseline``, ``associations`` (associations.py), ``failures`` (failures.py) and
    ``robustness`` (robustness.py).
    ``findings`` are sentences, per attribute then the warnings; ``warnings`` are the warning
    sentences alone; ``notes`` say what could not be estimated.
    """

    experiment_id: str
    metric: str
    direction: str
    policy: str
    k: int
    n_boot: int
    seed: int
    search_algo: str | None
    n_trials: int
    n_used: int
    left_out: dict[str, int]
    r_squared: float
    r_squared_ci: tuple[float, float]
    attributes: pd.DataFrame
    slopes: pd.DataFrame
    levels: pd.DataFrame
    coefficients: pd.DataFrame
    disagreement: pd.DataFrame
    importance: pd.DataFrame
    sensitivity: pd.DataFrame
    baseline: pd.DataFrame
    associations: pd.DataFrame
    failures: pd.DataFrame
    robustness: pd.DataFrame
    findings: list[str]
    warnings: list[str]
    notes: list[str] = field(default_factory=list)
    # Repeats (with_repeats.py): what the analyses count (trials, or configuration means), the
    # seed-noise share of the variance, and the per-experiment / pooled table (study.py).
    basis: str = "trials"
    seed_noise: SeedNoise | None = None
    study: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=STUDY_COLUMNS))

    _TABLES = ("attributes", "slopes", "levels", "coefficients", "disagreement", "importance",
               "sensitivity", "baseline", "associations", "failures", "robustness", "study")

    def to_frame(self) -> pd.DataFrame:
        """The one-row-per-attribute table."""
        return self.attributes.copy()

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-serialisable values (tables as lists of records, NaN as None)."""
        out: dict[str, Any] = {
            "experiment_id": self.experiment_id, "metric": self.metric,
            "direction": self.direction, "policy": self.policy, "k": self.k,
            "n_boot": self.n_boot, "seed": self.seed, "search_algo": self.search_algo,
            "n_trials": self.n_trials, "n_used": self.n_used, "left_out": dict(self.left_out),
            "r_squared": json_scalar(self.r_squared),
            "r_squared_ci": [json_scalar(v) for v in self.r_squared_ci],
            "findings": list(self.findings), "warnings": list(self.warnings),
            "notes": list(self.notes), "basis": self.basis,
            "seed_noise": None if self.seed_noise is None else {
                k: json_scalar(v) for k, v in asdict(self.seed_noise).items()},
        }
        for name in self._TABLES:
            frame: pd.DataFrame = getattr(self, name)
            out[name] = [{str(k): json_scalar(v) for k, v in row.items()}
                         for row in frame.to_dict(orient="records")]
        return out

    def render(self, format: str = "table") -> str:
        """The text ``ablation-sql effects --format FORMAT`` prints (table, csv, json or
        markdown): findings, the one-row-per-attribute table, warnings; csv and json give the
        table alone (the CLI prints the findings and warnings to stderr: ``render_side``)."""
        from .text import render_effects

        return render_effects(self, format)[0]

    def render_side(self, format: str = "table") -> str:
        """What ``ablation-sql effects`` prints to stderr: the findings and warnings for csv
        and json, nothing for table and markdown."""
        from .text import render_effects

        return render_effects(self, format)[1]


