"""ABLATOR's API over the database: ``Results`` (the experiment folder, ingested into an
in-memory ``Database``, as ABLATOR's frame and attributes), ``PlotAnalysis`` (the figure engine
of ``ablation_sql.plots``, exposed under ABLATOR's name) and the config classes (``configs``).
Above the ``Database`` facade, since ``Results.db`` is one: may import ``ablation_sql.database``
and every layer below it."""

from ..plots.analysis import PlotAnalysis
from .configs import ModelConfig, Optim, ParallelConfig, configclass
from .results import Results

__all__ = ["ModelConfig", "Optim", "ParallelConfig", "PlotAnalysis", "Results", "configclass"]
