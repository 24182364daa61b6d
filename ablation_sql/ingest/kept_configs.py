"""Trials read again whose config.yaml is as it was (the same size and mtime): their stored
config and its problems stand in for a new parse, and their params rows stay as they are, so
that a trial whose results alone changed is read without PyYAML."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import duckdb

from ..store.sqlfiles import execute
from .discover import TrialFolder

if TYPE_CHECKING:
    from .parse_trials import Kept

__all__ = ["same_config", "stored_configs"]


def same_config(old: str, new: str) -> bool:
    """Whether two fingerprints of a trial (``discover``'s, config.yaml's first) give its
    config.yaml the same size and mtime (a file there and regular in both)."""
    before, now = old.partition(";")[0], new.partition(";")[0]
    return before == now and before.count(":") == 2


def stored_configs(con: duckdb.DuckDBPyConnection, experiment_id: str,
                   trials: Sequence[TrialFolder]) -> Kept:
    """The stored config and config.yaml problems of ``trials``, those still at the path they
    were read from."""
    paths = {trial.uid: trial.path for trial in trials}
    kept: dict[str, tuple[str | None, list[str]]] = {}
    for uid, path, text, n in execute(con, "ingest/stored_configs", experiment_id=experiment_id,
                                      trial_uids=list(paths)):
        if not n and path == paths[uid]:
            kept[uid] = (text, [])
        elif n and uid in kept and path == os.path.join(paths[uid], "config.yaml"):
            kept[uid][1].append(text)
    return kept
