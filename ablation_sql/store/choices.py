"""The choices the layers above offer, each listed once, without importing anything heavy (the
command line reads them at start-up): ``POLICIES``, how a trial's metric is reduced to one value
(the ``trial_metric`` macro's reductions that need no argument but ``k``), and
``FIGURE_FORMATS``, the file formats of the figures, ``RANK_CORRELATIONS``, the rank
correlations ``settle`` offers, ``FORMATS``, the formats rows are printed in,
``EXPORT_FORMATS``, the files tables are exported as; ``check_reduction`` checks a
reduction's arguments against them."""

from __future__ import annotations

from ..errors import InputError

__all__ = ["EXPORT_FORMATS", "FIGURE_FORMATS", "FORMATS", "POLICIES", "RANK_CORRELATIONS",
           "check_reduction"]

POLICIES = ("best", "last", "mean_last")
FIGURE_FORMATS = ("png", "svg", "pdf")
RANK_CORRELATIONS = ("spearman", "kendall")
FORMATS = ("table", "csv", "json", "markdown")
EXPORT_FORMATS = ("parquet", "csv")


def check_reduction(policy: str, k: int, direction: str | None) -> None:
    """InputError unless ``policy`` is one of ``POLICIES``, ``k`` at least 1 and ``direction``
    min, max or None (the metric's own)."""
    if policy not in POLICIES:
        raise InputError(f"unknown policy {policy!r}: use one of {', '.join(POLICIES)}")
    if k < 1:
        raise InputError("k must be at least 1")
    if direction is not None and direction not in ("min", "max"):
        raise InputError(f"direction must be min or max, not {direction!r}")
