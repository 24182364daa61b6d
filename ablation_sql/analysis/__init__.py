"""Analysis of ingested experiments: ABLATOR's ``Results`` API, read through the database."""

from .results import Results

__all__ = ["Results"]
