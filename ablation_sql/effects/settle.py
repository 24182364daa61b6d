"""When the ranking of trials settles during training: per step (one per evaluation, usually an
epoch), the Spearman correlation between the trials' ranking then and their final ranking with
its 95 % interval (Fisher's z with the Bonett-Wright standard error sqrt((1 + r²/2) / (n - 3)),
which holds for Spearman's coefficient), and the first step from which the top-k set and the
winner no longer change. The numbers come from the named query ``ranking_settle``; this module
adds the intervals and the settled steps, and says how early a search could have stopped.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import InputError
from ..queries import run_query
from ..store.choices import check_reduction
from ..store.connection import connection
from .repeats import LEVEL
from .text import render_with_sentences

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["SETTLE_COLUMNS", "Settle", "settle", "settled_step"]

SETTLE_COLUMNS = ["experiment_id", "step", "n", "spearman", "ci_low", "ci_high", "top_k_kept",
                  "top_k", "winner_leads"]


@dataclass(frozen=True)
class Settle:
    """Per experiment and step (``table``: SETTLE_COLUMNS), the settled steps per experiment
    (``settled``: experiment_id, steps, top_k_step, winner_step; NA when never before the end
    of the shortest curve) and the findings in words."""

    metric: str
    policy: str
    top_k: int
    table: pd.DataFrame
    settled: pd.DataFrame
    findings: list[str]

    def render(self, format: str = "table") -> str:
        """What ``ablation-sql settle --format FORMAT`` prints to stdout."""
        return render_with_sentences(self.table, format, self.findings, [])[0]

    def render_side(self, format: str = "table") -> str:
        """What it prints to stderr (the findings, for csv and json)."""
        return render_with_sentences(self.table, format, self.findings, [])[1]


def settle(db: Connectable, metric: str, *, experiment: str | None = None,
           policy: str = "best", k: int = 5, top_k: int = 5, direction: str | None = None
           ) -> Settle:
    """The ranking of ``metric`` per step against the final one (reduced by ``policy``; the
    top ``top_k`` set). Raises InputError for unknown names or no complete trials."""
    check_reduction(policy, k, direction)
    rows = run_query(connection(db), "ranking_settle", metric=metric, experiment=experiment,
                     reduction=policy, last_k=k, top_k=top_k, direction=direction)
    if rows.empty:
        where = f"experiment {experiment}" if experiment else "the database"
        raise InputError(f"no complete trial of {where} has a finite {metric} at every step")
    table = rows.copy()
    table["spearman"] = table["spearman"].astype(float).clip(-1.0, 1.0)  # corr() rounding
    bounds = [_interval(r, n) for r, n in zip(table["spearman"], table["n"], strict=True)]
    table["ci_low"] = [b[0] for b in bounds]
    table["ci_high"] = [b[1] for b in bounds]
    table = table[SETTLE_COLUMNS]
    settled = pd.DataFrame([
        {"experiment_id": e, "steps": len(g),
         "top_k_step": settled_step((g["top_k_kept"] == g["top_k"]).to_numpy(), g["step"]),
         "winner_step": settled_step(g["winner_leads"].to_numpy(dtype=bool), g["step"])}
        for e, g in table.groupby("experiment_id", sort=True)])
    settled = settled.astype({"top_k_step": "Int64", "winner_step": "Int64"})
    return Settle(metric, policy, top_k, table, settled, _findings(table, settled, top_k))


def settled_step(same: np.ndarray, steps: pd.Series) -> int | None:
    """The first step from which ``same`` holds to the end (None when only at the end or
    never: the last step always agrees with itself)."""
    if len(same) == 0 or not same[-1]:
        return None
    changed = np.flatnonzero(~same)
    first = 0 if len(changed) == 0 else int(changed[-1]) + 1
    return int(steps.iloc[first]) if first < len(same) - 1 else None


def _interval(r: float, n: int) -> tuple[float, float]:
    """The 95 % interval of a Spearman correlation ``r`` of ``n`` pairs (NaN below 4)."""
    if n < 4 or math.isnan(r):
        return math.nan, math.nan
    r = min(max(r, -1.0), 1.0)
    if abs(r) == 1.0:
        return r, r
    half = stats.norm.ppf(0.5 + LEVEL / 2) * math.sqrt((1 + r * r / 2) / (n - 3))
    z = math.atanh(r)
    return math.tanh(z - half), math.tanh(z + half)


def _findings(table: pd.DataFrame, settled: pd.DataFrame, top_k: int) -> list[str]:
    out = []
    for row in settled.itertuples():
        rows = table[table["experiment_id"] == row.experiment_id]
        half = rows.iloc[len(rows) // 2]
        where = f"{row.experiment_id}: " if len(settled) > 1 else ""
        top = (f"the top {top_k} set no longer changes from step {row.top_k_step} of "
               f"{row.steps}" if pd.notna(row.top_k_step) else
               f"the top {top_k} set changes until the last step")
        winner = (f"the winner leads from step {row.winner_step}"
                  if pd.notna(row.winner_step) else "the winner leads only at the end")
        out.append(f"{where}{top}; {winner}. Halfway (step {half['step']}), the ranking "
                   f"correlates with the final one at Spearman {half['spearman']:.2f} (95 % CI "
                   f"{half['ci_low']:.2f} to {half['ci_high']:.2f}, {half['n']} trials).")
    return out
