"""``from ablation_sql.analysis.results import Results``, as ABLATOR's tutorial imports it."""

from ..compat.results import Results

__all__ = ["Results"]
