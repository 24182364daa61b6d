"""Holm's adjustment of p-values for multiple tests (``statsmodels`` ``multipletests``)."""

from __future__ import annotations

import gc
from collections.abc import Sequence

import numpy as np
from statsmodels.stats.multitest import multipletests

__all__ = ["holm"]


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """The Holm-adjusted ``p_values``. statsmodels' Holm branch collects the garbage on every
    call, which walks every object of the process (a quarter of a second in a report's):
    the objects that exist already are frozen out of that walk meanwhile, unless the process
    froze objects itself (unfreezing would then thaw its own too)."""
    if gc.get_freeze_count():
        return np.asarray(multipletests(p_values, method="holm")[1], dtype=float)
    gc.freeze()
    try:
        return np.asarray(multipletests(p_values, method="holm")[1], dtype=float)
    finally:
        gc.unfreeze()
