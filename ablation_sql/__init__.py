"""ablation_sql: ABLATOR experiment folders in DuckDB, for asking which settings matter.

>>> import ablation_sql as asql
>>> db = asql.connect("results.duckdb")      # in memory when no path is given
>>> db.ingest("experiments/")                # doctest: +SKIP
>>> db.sql("SELECT status, count(*) FROM trials GROUP BY status")  # doctest: +SKIP
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

from .errors import (
    AblationSQLError,
    DatabaseLockedError,
    InputError,
    NothingToIngestError,
    QueryError,
)

if TYPE_CHECKING:
    from .analysis.plot import PlotAnalysis
    from .analysis.results import Results
    from .configs import ModelConfig, Optim, ParallelConfig, configclass
    from .database import Database, connect
    from .report import IngestReport

__all__ = [
    "AblationSQLError",
    "Database",
    "DatabaseLockedError",
    "IngestReport",
    "InputError",
    "ModelConfig",
    "NothingToIngestError",
    "Optim",
    "ParallelConfig",
    "PlotAnalysis",
    "QueryError",
    "Results",
    "configclass",
    "connect",
]

# Heavy modules load on first use, so Dask workers that only parse files start quickly.
_LAZY = {"Database": "database", "connect": "database", "IngestReport": "report",
         "Results": "analysis.results", "PlotAnalysis": "analysis.plot",
         "ModelConfig": "configs", "Optim": "configs",
         "ParallelConfig": "configs", "configclass": "configs"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
