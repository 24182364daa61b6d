"""A static HTML report of ingested experiments: ``build_report(con, out)`` writes
``out/index.html`` and its figures (overview, top trials, one section per attribute with its
figures and numbers, learning curves, failed and skipped trials, search-space coverage);
``report_paths`` opens or ingests first. Takes a store connection, never the ``Database``
facade; may import ``ablation_sql.plots``, ``effects``, ``queries``, ``ingest``, ``store``."""

from .build import build_report, report_paths

__all__ = ["build_report", "report_paths"]
