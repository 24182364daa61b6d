"""When the ranking of trials settles during training. Per step (one per evaluation, usually an
epoch): the rank correlation between the trials' ranking then and their final ranking with its
95 % interval (Fisher's z; standard error sqrt((1 + r²/2) / (n - 3)) for Spearman's rho,
Bonett and Wright 2000, and sqrt(0.437 / (n - 4)) for Kendall's tau, Fieller, Hartley and
Pearson 1957), and how much a search that stopped then and kept its top k (or its leader)
would lose at the end.

**Settled**, the definition: the top-k set is settled from the first step from which, at every
later step, the trials then in the top k end, on average, within the tolerance of the final
top k (``top_k_loss <= tolerance``); the winner likewise (``winner_loss <= tolerance``: the
leader then ends within the tolerance of the final winner). The tolerance is the 95 % bound on
the difference between two evaluations of equally good trials, 1.96 * sqrt(2) * the
per-evaluation noise, which the named query ``ranking_settle`` estimates from the third
differences of the trials' curves (0, the exact rule, under 4 steps); or given. Orders that
change by less than the noise are not changes: an exact top-k set keeps changing at its
boundary until the last step under any noise. The numbers come from ``ranking_settle``; this
module adds the intervals and the settled steps, and says how early a search could have
stopped its trials.
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
from ..store.choices import RANK_CORRELATIONS, check_reduction
from ..store.connection import connection
from .findings import number
from .repeats import LEVEL
from .text import TableWithFindings

if TYPE_CHECKING:
    from ..store.connection import Connectable

__all__ = ["SETTLE_COLUMNS", "Settle", "settle", "settled_step", "tolerance_of"]

SETTLE_COLUMNS = ["experiment_id", "step", "n", "correlation", "ci_low", "ci_high",
                  "top_k_kept", "top_k", "top_k_loss", "winner_leads", "winner_loss"]
_NAMES = {"spearman": "Spearman", "kendall": "Kendall"}
# method: (the interval's variance numerator as a function of r, the n it is divided by minus)
_FISHER = {"spearman": (lambda r: 1 + r * r / 2, 3), "kendall": (lambda r: 0.437, 4)}


@dataclass(frozen=True)
class Settle(TableWithFindings):
    """Per experiment and step (``table``: SETTLE_COLUMNS), the settled steps per experiment
    (``settled``: experiment_id, steps, noise, tolerance, top_k_step, winner_step; NA when
    only at the last step) and the findings in words."""

    metric: str
    policy: str
    top_k: int
    method: str
    table: pd.DataFrame
    settled: pd.DataFrame
    findings: list[str]

    def to_frame(self) -> pd.DataFrame:
        """The table the command prints."""
        return self.table


def settle(db: Connectable, metric: str, *, experiment: str | None = None,
           policy: str = "best", k: int = 5, top_k: int = 5, direction: str | None = None,
           method: str = "spearman", tolerance: float | None = None) -> Settle:
    """The ranking of ``metric`` per step against the final one (reduced by ``policy``; the
    top ``top_k`` set; correlation by ``method``, spearman or kendall); ``tolerance``: the
    loss below which the top set and the winner count as settled (None: from the estimated
    noise, see the module). Raises InputError for unknown names or no complete trials."""
    check_reduction(policy, k, direction)
    if method not in RANK_CORRELATIONS:
        raise InputError(f"unknown method {method!r}: use one of "
                         f"{', '.join(RANK_CORRELATIONS)}")
    if tolerance is not None and not 0 <= tolerance < math.inf:
        raise InputError(f"the tolerance must be a finite number >= 0, not {tolerance!r}")
    rows = run_query(connection(db), "ranking_settle", metric=metric, experiment=experiment,
                     reduction=policy, last_k=k, top_k=top_k, direction=direction,
                     method=method)
    if rows.empty:
        where = f"experiment {experiment}" if experiment else "the database"
        raise InputError(f"no complete trial of {where} has a finite {metric} at every step")
    table = rows.copy()
    table["correlation"] = table["correlation"].astype(float).clip(-1.0, 1.0)  # rounding
    bounds = [_interval(r, n, method)
              for r, n in zip(table["correlation"], table["n"], strict=True)]
    table["ci_low"] = [b[0] for b in bounds]
    table["ci_high"] = [b[1] for b in bounds]
    settled = pd.DataFrame([_settled(e, g, tolerance)
                            for e, g in table.groupby("experiment_id", sort=True)])
    settled = settled.astype({"top_k_step": "Int64", "winner_step": "Int64"})
    table = table[SETTLE_COLUMNS]
    return Settle(metric, policy, top_k, method, table, settled,
                  _findings(table, settled, top_k, method, tolerance is None))


def tolerance_of(noise: float) -> float:
    """The tolerance for a per-evaluation noise ``noise``: the 95 % bound on the difference
    of two evaluations, 1.96 * sqrt(2) * noise (0 when the noise is unknown)."""
    if noise is None or math.isnan(noise):
        return 0.0
    return float(stats.norm.ppf(0.5 + LEVEL / 2) * math.sqrt(2) * noise)


def settled_step(same: np.ndarray, steps: pd.Series) -> int | None:
    """The first step from which ``same`` holds to the end (None when only at the end or
    never: the last step always agrees with itself)."""
    if len(same) == 0 or not same[-1]:
        return None
    changed = np.flatnonzero(~same)
    first = 0 if len(changed) == 0 else int(changed[-1]) + 1
    return int(steps.iloc[first]) if first < len(same) - 1 else None


def _settled(experiment: str, rows: pd.DataFrame, given: float | None) -> dict:
    """One experiment's settled steps: the losses within the tolerance to the end."""
    noise = float(rows["noise"].iloc[0]) if pd.notna(rows["noise"].iloc[0]) else math.nan
    tolerance = tolerance_of(noise) if given is None else float(given)
    slack = 1e-9 * max(1.0, tolerance)  # the losses are differences of sums: rounding
    return {"experiment_id": experiment, "steps": len(rows), "noise": noise,
            "tolerance": tolerance,
            **{f"{what}_step": settled_step(
                (rows[f"{what}_loss"].astype(float) <= tolerance + slack).to_numpy(),
                rows["step"]) for what in ("top_k", "winner")}}


def _interval(r: float, n: int, method: str) -> tuple[float, float]:
    """The 95 % interval of a rank correlation ``r`` of ``n`` pairs by ``method`` (NaN when
    n is not above the variance's offset)."""
    numerator, offset = _FISHER[method]
    if n <= offset or math.isnan(r):
        return math.nan, math.nan
    r = min(max(r, -1.0), 1.0)
    if abs(r) == 1.0:
        return r, r
    half = stats.norm.ppf(0.5 + LEVEL / 2) * math.sqrt(numerator(r) / (n - offset))
    z = math.atanh(r)
    return math.tanh(z - half), math.tanh(z + half)


def _findings(table: pd.DataFrame, settled: pd.DataFrame, top_k: int, method: str,
              estimated: bool) -> list[str]:
    out = []
    for row in settled.itertuples():
        rows = table[table["experiment_id"] == row.experiment_id]
        half = rows.iloc[len(rows) // 2]
        where = f"{row.experiment_id}: " if len(settled) > 1 else ""
        within = f"within {number(row.tolerance)}"
        source = "" if not estimated else _tolerance_source(row.noise)
        top = (f"the top {top_k} set is settled from step {row.top_k_step} of {row.steps}: "
               f"from then on its trials end on average {within} of the final top {top_k}'s"
               if pd.notna(row.top_k_step) else
               f"the top {top_k} set ends {within} of the final one only at the last step")
        winner = (f"the leader ends {within} of the final winner from step {row.winner_step}"
                  if pd.notna(row.winner_step) else
                  f"the leader ends {within} of the final winner only at the last step")
        corr = (f"{_NAMES[method]} {half['correlation']:.2f} (95 % CI {half['ci_low']:.2f} "
                f"to {half['ci_high']:.2f}, {half['n']} trials)"
                if pd.notna(half["correlation"]) else
                f"{_NAMES[method]} (undefined: {half['n']} trials or ties only)")
        out.append(f"{where}{top}{source}; {winner}. Halfway (step {half['step']}), the "
                   f"ranking correlates with the final one at {corr}.")
    return out


def _tolerance_source(noise: float) -> str:
    """Where an estimated tolerance comes from, in words."""
    if math.isnan(noise):
        return " (exact: under 4 steps the evaluation noise is not estimated)"
    return (" (1.96 x sqrt 2 x the evaluation noise, estimated from the curves at "
            f"{number(noise)})")
