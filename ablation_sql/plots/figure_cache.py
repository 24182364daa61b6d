"""The figure cache of ``PlotAnalysis(cache=True)``: a figure whose data and options did not
change since it was drawn (same fingerprint, in ``CACHE_FILE`` of its folder) is not redrawn."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

__all__ = ["CACHE_FILE", "data_digest", "fingerprint", "read_cache"]

CACHE_FILE = ".plot_cache.json"


def data_digest(data: pd.DataFrame) -> str:
    """A digest of a frame's column names and rows (hashed once for the figures drawn from
    it)."""
    digest = hashlib.sha256(json.dumps([str(c) for c in data.columns]).encode())
    digest.update(pd.util.hash_pandas_object(data, index=False).values.tobytes())
    return digest.hexdigest()


def fingerprint(kind: str, data: str, options: dict, figure_kwargs: dict) -> str:
    """What a figure is drawn from (``data``: what it reads, such as a ``data_digest``):
    unchanged, the figure on disk is kept."""
    return hashlib.sha256(json.dumps([kind, data, options, figure_kwargs], sort_keys=True,
                                     default=str).encode()).hexdigest()


def read_cache(path: Path) -> dict[str, str]:
    """The fingerprints of the figures already drawn (empty when unreadable)."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
