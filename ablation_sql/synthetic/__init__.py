"""Synthetic ABLATOR experiment folders with planted effects, for tests and benchmarks:
``generate`` writes the folders, ``model`` simulates the trials. On top of the layers: it may
import ``ablation_sql.ingest`` (the state database's format); no layer imports it."""

from .generate import Truth, generate_experiment, main

__all__ = ["Truth", "generate_experiment", "main"]
