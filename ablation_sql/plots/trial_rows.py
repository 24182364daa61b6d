"""The rows behind a figure, per trial: each trial's best row of a frame (``best_rows``, as
trial_best chooses it) and the figure's count of trials per status (``trial_counts``)."""

from __future__ import annotations

import pandas as pd

__all__ = ["best_rows", "trial_counts"]

_STATUS_ORDER = ("complete", "failed", "running", "pruned", "waiting", "unknown", "missing")


def best_rows(frame: pd.DataFrame, metric: str, direction: str) -> pd.DataFrame:
    """Each trial's best row by direction: NULL and NaN never win, an infinity only when the
    trial has nothing else, ties go to the earliest step (trial_best's rules)."""
    values = pd.to_numeric(frame[metric], errors="coerce").astype(float)
    keyed = frame.assign(_nan=values.isna(), _inf=values.abs() == float("inf"),
                         _key=-values if direction == "max" else values)
    keyed = keyed.sort_values(["_nan", "_inf", "_key", "step"], kind="stable")
    best = keyed.groupby("trial_uid", sort=False).head(1).sort_values(["trial_uid"])
    return best[list(frame.columns)].reset_index(drop=True)


def trial_counts(data: pd.DataFrame, status: str | None) -> str:
    """How many trials the figure holds, per status when known: "trials: 20 complete, 2
    failed"; statuses in the order of ``_STATUS_ORDER``."""
    if status is None or status not in data.columns:
        return f"trials: {data['trial_uid'].nunique()}"
    counts = data.drop_duplicates("trial_uid")[status].fillna("unknown").value_counts()
    order = sorted(counts.index, key=lambda s: (_STATUS_ORDER.index(s)
                                               if s in _STATUS_ORDER else len(_STATUS_ORDER), s))
    return "trials: " + (", ".join(f"{counts[s]} {s}" for s in order) or "none")
