"""The result of an ablation from a source to a target configuration (``ablation.py``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..store.values import json_scalar

__all__ = ["Ablation", "CONTRIBUTION_COLUMNS", "INTERACTION_COLUMNS", "Surface"]

# One row per attribute that differs: its source and target values (as text), its Shapley
# contribution to the predicted change with the 95 % bootstrap interval, whether the interval
# excludes zero, and the greedy path's step (1 = first changed) with the predicted value after
# it.
CONTRIBUTION_COLUMNS = ["attribute", "source", "target", "contribution", "ci_low", "ci_high",
                        "clear", "greedy_step", "greedy_value"]
# One row per pair of attributes: its interaction share (interactions.py) with its interval,
# and whether it is clear.
INTERACTION_COLUMNS = ["attribute_a", "attribute_b", "share", "ci_low", "ci_high", "clear"]


@dataclass(frozen=True)
class Surface:
    """A pair's 2-D partial dependence of the full surrogate, for its figure."""

    attribute_a: str
    attribute_b: str
    grid_a: list
    grid_b: list
    values: np.ndarray  # |grid_a| × |grid_b|
    share: float
    logged_a: bool


@dataclass(frozen=True)
class Ablation:
    """What each attribute contributes from ``source`` to ``target`` (``contributions``), the
    greedy path, the pairwise ``interactions``, the ``top_quantile`` importance beside the
    effects' variance shares, the findings in words and the notes.

    ``predicted_change`` is (estimate, low, high) of the surrogate's change from source to
    target, ``predicted_source`` its prediction at the source; ``surrogate`` names the chosen
    model with its cross-validated R² and every candidate's; ``exact`` says whether the
    Shapley values used every coalition.
    """

    experiment_id: str
    metric: str
    direction: str
    policy: str
    resamples: int
    seed: int
    top: float
    n_used: int
    n_fitted: int  # the used trials the surrogate is fitted on (a seeded sample beyond)
    source: dict[str, Any]
    target: dict[str, Any]
    source_label: str
    target_label: str
    surrogate: dict[str, Any]
    explains_little: bool
    exact: bool
    predicted_change: tuple[float, float, float]
    predicted_source: float
    contributions: pd.DataFrame
    interactions: pd.DataFrame
    top_quantile: pd.DataFrame
    findings: list[str]
    notes: list[str] = field(default_factory=list)
    surfaces: list[Surface] = field(default_factory=list)

    _TABLES = ("contributions", "interactions", "top_quantile")

    def to_frame(self) -> pd.DataFrame:
        """The contributions table."""
        return self.contributions.copy()

    def to_dict(self) -> dict[str, Any]:
        """Everything but the surfaces as JSON-serialisable values."""
        out: dict[str, Any] = {
            "experiment_id": self.experiment_id, "metric": self.metric,
            "direction": self.direction, "policy": self.policy, "resamples": self.resamples,
            "seed": self.seed, "top": self.top, "n_used": self.n_used,
            "n_fitted": self.n_fitted,
            "source": {k: json_scalar(v) for k, v in self.source.items()},
            "target": {k: json_scalar(v) for k, v in self.target.items()},
            "source_label": self.source_label, "target_label": self.target_label,
            "surrogate": {k: json_scalar(v) if not isinstance(v, dict) else
                          {a: json_scalar(b) for a, b in v.items()}
                          for k, v in self.surrogate.items()},
            "explains_little": self.explains_little, "exact": self.exact,
            "predicted_change": [json_scalar(v) for v in self.predicted_change],
            "predicted_source": json_scalar(self.predicted_source),
            "findings": list(self.findings), "notes": list(self.notes),
        }
        for name in self._TABLES:
            frame: pd.DataFrame = getattr(self, name)
            out[name] = [{str(k): json_scalar(v) for k, v in row.items()}
                         for row in frame.to_dict(orient="records")]
        return out

    def render(self, format: str = "table") -> str:
        """The text ``ablation-sql ablation --format FORMAT`` prints: table and markdown give
        the findings, then the contributions, interactions and top-quantile tables; csv and
        json the contributions table alone (the findings go to stderr: ``render_side``)."""
        from .text import render_frame

        tables = [render_frame(self._shown(getattr(self, n)), format) for n in self._TABLES]
        if format in ("csv", "json"):
            return tables[0]
        bullet = "- " if format == "markdown" else ""
        head = "Findings:\n" + "".join(f"{bullet}{s}\n" for s in self.findings)
        titles = ("Contributions:", "Interactions:", f"Top {self.top:.0%} importance:")
        notes = "".join(f"{bullet}{n}\n" for n in self.notes)
        body = "".join(f"\n{t}\n{x}" for t, x in zip(titles, tables, strict=True))
        return head + body + (f"\nNotes:\n{notes}" if notes else "")

    def render_side(self, format: str = "table") -> str:
        """What ``ablation-sql ablation`` prints to stderr: the findings for csv and json."""
        if format not in ("csv", "json"):
            return ""
        return "Findings:\n" + "".join(f"{s}\n" for s in self.findings)

    @staticmethod
    def _shown(frame: pd.DataFrame) -> pd.DataFrame:
        """Booleans as text (the renderers' types are numbers and text)."""
        return frame.assign(**{c: frame[c].map({True: "yes", False: "no"})
                               for c in frame.columns if frame[c].dtype == bool})
