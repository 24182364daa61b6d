"""A static HTML report of ingested experiments: ``build_report(db, out)`` writes
``out/index.html`` and its figures (overview, top trials, one section per attribute with its
figures and numbers, learning curves, failed and skipped trials, search-space coverage)."""

from .build import build_report, report_paths

__all__ = ["build_report", "report_paths"]
