"""Subspaces and the attributes nested in them: which trials each attribute applies to.

A subspace (ABLATOR's ``subspaces``: e.g. the optimizer, ``sgd`` or ``adam``, each with its own
arguments) is analysed as a categorical attribute whose level is the branch a trial took, the
``name`` of its sub_configuration. An attribute declared inside branches' sub_configurations
(``adam``'s searched ``arguments.lr``) applies only to the trials of the branches that declare
it, and of its parent's own branches when the subspace is itself nested: in any other trial its
value is another branch's fixed setting, or absent, and is not analysed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..ingest.search_space import declares_search_space

__all__ = ["Condition", "applies", "branch_names", "declaring_branches"]


@dataclass(frozen=True)
class Condition:
    """A nested attribute applies where ``parent``'s level is one of ``branches``."""

    parent: str
    branches: tuple[str, ...]


def branch_names(subspaces: Any) -> list[str] | None:
    """The branches' names in declared order, as levels (JSON text for non-strings); None when
    a branch has no scalar name or two branches share one (trials cannot be told apart)."""
    if not isinstance(subspaces, list) or not subspaces:
        return None
    names = []
    for sub in subspaces:
        config = sub.get("sub_configuration") if isinstance(sub, dict) else None
        name = config.get("name") if isinstance(config, dict) else None
        if name is None or isinstance(name, dict | list):
            return None
        names.append(name if isinstance(name, str) else json.dumps(name))
    return names if len(set(names)) == len(names) else None


def declaring_branches(subspaces: list[Any], names: list[str], path: list[str]
                       ) -> tuple[str, ...]:
    """The branches whose sub_configuration declares a search space at ``path``."""
    out = []
    for sub, name in zip(subspaces, names, strict=True):
        node = sub.get("sub_configuration")
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if declares_search_space(node):
            out.append(name)
    return tuple(out)


def applies(frame: pd.DataFrame, conditions: dict[str, Condition], name: str) -> np.ndarray:
    """Whether ``name`` applies to each row of ``frame`` (always, unless it is nested)."""
    condition = conditions.get(name)
    if condition is None:
        return np.ones(len(frame), dtype=bool)
    here = frame[condition.parent].isin(condition.branches).to_numpy()
    return here & applies(frame, conditions, condition.parent)
