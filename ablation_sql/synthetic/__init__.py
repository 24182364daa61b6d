"""Synthetic ABLATOR experiment folders with planted effects, for tests and benchmarks:
``generate`` writes the folders, ``model`` simulates the trials, ``options`` changes the
simulation as asked, ``command`` is ``python -m ablation_sql.synthetic``. On top of the layers:
it may import ``ablation_sql.ingest`` (the state database's format); no layer imports it."""

from .command import main
from .generate import Truth, generate_experiment

__all__ = ["Truth", "generate_experiment", "main"]
