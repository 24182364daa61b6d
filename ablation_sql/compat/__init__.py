"""ABLATOR's API over the database: ``Results`` (the experiment folder, ingested into an
in-memory ``Database``, as ABLATOR's frame and attributes), ``PlotAnalysis`` (the figure engine
of ``ablation_sql.plots``, exposed under ABLATOR's name) and the config classes (``configs``).
Above the ``Database`` facade, since ``Results.db`` is one: may import ``ablation_sql.database``
and every layer below it. ``PlotAnalysis`` (matplotlib) loads on first use, so reading
``Results`` starts without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .configs import ModelConfig, Optim, ParallelConfig, configclass
from .results import Results

if TYPE_CHECKING:
    from ..plots.analysis import PlotAnalysis

__all__ = ["ModelConfig", "Optim", "ParallelConfig", "PlotAnalysis", "Results", "configclass"]


def __getattr__(name: str) -> type[PlotAnalysis]:
    if name == "PlotAnalysis":
        from ..plots.analysis import PlotAnalysis

        return PlotAnalysis
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
