"""Figures: axes-level drawing functions (``axes``), the figure engine behind ABLATOR's
``PlotAnalysis`` (``analysis``: a frame or a store connection in, files on disk out), the figure
set of the ``plot`` command (``database_figures``) and safe file names for outputs
(``output_names``). May import ``ablation_sql.effects``, ``queries``, ``ingest``, ``store`` and
``errors``; takes a store connection, never the ``Database`` facade."""

from .axes import learning_curve, lineplot, violinplot

__all__ = ["learning_curve", "lineplot", "violinplot"]
