"""The choices the layers above offer, each listed once, without importing anything heavy (the
command line reads them at start-up): ``POLICIES``, how a trial's metric is reduced to one value
(the ``trial_metric`` macro's reductions that need no argument but ``k``), and
``FIGURE_FORMATS``, the file formats of the figures."""

from __future__ import annotations

__all__ = ["FIGURE_FORMATS", "POLICIES"]

POLICIES = ("best", "last", "mean_last")
FIGURE_FORMATS = ("png", "svg", "pdf")
