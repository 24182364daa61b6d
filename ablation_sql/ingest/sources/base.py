"""What every source hands the pipeline: experiments with trials, and a reader that turns a
batch of trials into the same column lists as ``parse_trials.parse_batch``."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..batch_columns import Batch, new_batch
from ..flatten import param_row, to_json
from ..search_space import SearchSpaceRow

if TYPE_CHECKING:
    import sqlite3

__all__ = ["SOURCES", "Reader", "SourceExperiment", "SourceProblem", "SourceTrial", "TrialRows",
           "digest", "new_batch", "open_sqlite", "stamp"]

SOURCES = ("ablator", "optuna", "ray", "mlflow")
_STEPS = range(-(2**31), 2**31)  # metrics.step is an INTEGER


@dataclass(frozen=True)
class SourceTrial:
    """A trial of a source: its uid in the database, where it is, what identifies it in the
    source (``key``: a row id, a run id or a folder), and a fingerprint of what was read."""

    uid: str
    path: str
    fingerprint: str
    key: str


class Reader(Protocol):
    """Reads a batch of trials (in a worker process: it must pickle)."""

    def parse(self, trials: tuple[SourceTrial, ...]) -> Batch: ...


@dataclass
class SourceExperiment:
    """One experiment of a source, ready to be planned like an ABLATOR experiment folder.

    ``path`` identifies it across ingests (a folder, or a file and the study/experiment in it);
    ``problems`` are experiment-level notes kept until it changes; ``unreadable`` entries
    (reasons starting with ``discover.NOT_READ``) are looked at again by every ingest.
    """

    source: str
    path: str
    name: str
    fingerprint: str
    trials: tuple[SourceTrial, ...]
    reader: Reader | None  # None for a source that could not be read (no trials)
    description: dict[str, Any] = field(default_factory=dict)
    search_space: list[SearchSpaceRow] = field(default_factory=list)
    directions: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[Path, str]] = field(default_factory=list)
    unreadable: tuple[tuple[Path, str], ...] = ()
    state_fingerprint: str = ""


class SourceProblem(Exception):
    """A source that cannot be read at all; the message is one line for a person, starting
    with ``discover.NOT_READ`` (it is looked at again by every ingest)."""


class TrialRows:
    """Appends one trial's rows to a batch."""

    def __init__(self, batch: Batch, trial: SourceTrial):
        self.batch, self.trial = batch, trial
        self.steps: set[int] = set()

    def param(self, name: str, value: Any) -> None:
        as_json, as_double, as_text, kind = param_row(value)
        rows = self.batch["params"]
        for column, item in zip(rows, (self.trial.uid, name, as_json, as_double, as_text, kind),
                                strict=True):
            rows[column].append(item)

    def metric(self, step: int, name: str, value: Any) -> None:
        """A number (NaN and None become NULL) or, for anything else, a ``metrics_other`` row."""
        if step not in _STEPS:
            self.error(self.trial.path, f"{name}: step {step} does not fit the 32-bit step "
                                        "column: value left out")
            return
        self.steps.add(step)
        number = type(value) in (int, float) or value is None
        table = self.batch["metrics" if number else "metrics_other"]
        table["trial_uid"].append(self.trial.uid)
        table["step"].append(step)
        table["name"].append(name)
        table["value"].append(_finite_or_inf(value) if number else to_json(value))

    def error(self, path: str | Path, reason: str) -> None:
        rows = self.batch["errors"]
        rows["trial_uid"].append(self.trial.uid)
        rows["path"].append(str(path))
        rows["error"].append(reason)

    def finish(self, status: str, config: dict[str, Any] | None, metadata: Any,
               failure_reason: str | None, complete: bool = True) -> None:
        """The trial's own row; ``status`` is what the source recorded."""
        rows = self.batch["trials"]
        values = {"trial_uid": self.trial.uid, "path": self.trial.path,
                  "inferred_status": status, "n_steps": len(self.steps),
                  "results_complete": complete,
                  "config": None if config is None else to_json(config),
                  "config_uid": self.trial.uid, "metadata": to_json(metadata),
                  "fingerprint": self.trial.fingerprint, "failure_reason": failure_reason}
        for column in rows:
            rows[column].append(values[column])


def _finite_or_inf(value: Any) -> Any:
    if type(value) is int and abs(value) > 2**1000:
        return math.inf if value > 0 else -math.inf
    return value


def open_sqlite(path: Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (it is never written, locked for writing or created)."""
    import sqlite3

    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def stamp(paths: Iterable[Path]) -> str:
    """Size and mtime of each path (``-`` when absent): a fingerprint of what is read."""
    parts = []
    for path in paths:
        try:
            st = path.stat()
            parts.append(f"{path.name}:{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path.name}:-")
    return ";".join(parts)


def digest(*parts: object) -> str:
    """A short hash of ``parts`` (a fingerprint of rows read from a database)."""
    return hashlib.blake2b(repr(parts).encode("utf-8", "backslashreplace"),
                           digest_size=12).hexdigest()
