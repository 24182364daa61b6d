"""The figure cache of ``PlotAnalysis(cache=True)``: a figure whose data and options did not
change since it was drawn (same fingerprint, in ``CACHE_FILE`` of its folder) is not redrawn."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

__all__ = ["CACHE_FILE", "fingerprint", "read_cache"]

CACHE_FILE = ".plot_cache.json"


def fingerprint(kind: str, data: pd.DataFrame, options: dict, figure_kwargs: dict) -> str:
    """What a figure is drawn from: unchanged, the figure on disk is kept."""
    digest = hashlib.sha256(json.dumps([kind, options, figure_kwargs], sort_keys=True,
                                       default=str).encode())
    digest.update(pd.util.hash_pandas_object(data, index=False).values.tobytes())
    return digest.hexdigest()


def read_cache(path: Path) -> dict[str, str]:
    """The fingerprints of the figures already drawn (empty when unreadable)."""
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
