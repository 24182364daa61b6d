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
    from .compat.configs import ModelConfig, Optim, ParallelConfig, configclass
    from .compat.results import Results
    from .database import Database, connect
    from .ingest.summary import IngestReport
    from .plots.analysis import PlotAnalysis

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
_LAZY = {"Database": "database", "connect": "database", "IngestReport": "ingest.summary",
         "Results": "compat.results", "PlotAnalysis": "plots.analysis",
         "ModelConfig": "compat.configs", "Optim": "compat.configs",
         "ParallelConfig": "compat.configs", "configclass": "compat.configs"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
