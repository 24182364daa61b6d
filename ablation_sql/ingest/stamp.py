"""The stamp beside a database file: what the last ``ablation-sql ingest`` into it found, so
that a re-ingest that finds the same again answers without opening the database (nor loading
DuckDB), as make and git trust a file's size and times.

A stamp holds the signature of what the ingest was given and found (the options that change
its result, the paths that held nothing, and every experiment's and trial's fingerprint, as
``discover`` and the sources make them for the pipeline's own change detection), the code's
identity (size and mtime of every file of this package and of DuckDB), the database file's
identity (device, inode, size, mtime, ctime and a digest of its headers, taken after a
checkpoint while the ingest still held the file's lock) and the summary the ingest printed. A
re-ingest answers from it when all of these are equal and no write-ahead log lies beside the
database; anything missing, different, unreadable or malformed runs the ingest as usual, which
writes a new stamp. Any other write to the database changes its identity.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import time
from collections.abc import Mapping, Sequence
from dataclasses import astuple
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..store.atomic import write_atomic
from .discover import ExperimentFolder
from .sources.base import SourceExperiment
from .sources.detect import Found, find_ingestable
from .summary import ExperimentSummary, IngestReport

if TYPE_CHECKING:
    import duckdb

__all__ = ["SUFFIX", "IngestStamp"]

SUFFIX = ".ingest-stamp"
_FORMAT = 1
_HEADERS = 3 * 4096  # a DuckDB file's main header and its two database headers
_PACKAGE = Path(__file__).resolve().parents[1]


class IngestStamp:
    """The stamp of one ingest into ``db``: what it was given (``paths``, ``source``,
    ``directions``) and what it found there (``found``, looked up once, here)."""

    def __init__(self, db: str | os.PathLike, paths: Sequence[str | os.PathLike],
                 source: str | None, directions: Mapping[str, str]):
        self.started = time.perf_counter()
        self.db = Path(db)
        self.path = self.db.with_name(self.db.name + SUFFIX)
        self.found: Found = find_ingestable(paths, source)
        self.looked = time.perf_counter() - self.started  # seconds spent finding them
        self.signature = _digest([[str(p) for p in paths], source, sorted(directions.items()),
                                  [[str(p), reason] for p, reason in self.found[1]],
                                  [_experiment(e) for e in self.found[0]]])

    def answer(self) -> IngestReport | None:
        """The summary of an ingest that would change nothing, from the stamp; None unless
        the stamp, the code, the database file and what was found are as they were."""
        report = _read(self.path, self.signature, _database(self.db))
        if report is None:
            return None
        unchanged = sum(len(e.trials) for e in self.found[0])
        return IngestReport(report.experiments, report.trials_by_status, report.steps,
                            report.metric_rows, 0, unchanged, 0, report.skipped,
                            elapsed=time.perf_counter() - self.started)

    def hold(self, con: duckdb.DuckDBPyConnection, report: IngestReport) -> list[Any] | None:
        """The database file's identity once the ingest that returned ``report`` is written
        into it, taken while the ingest's connection ``con`` holds its lock; None when an
        ingest would still change something, or there is no file (in memory)."""
        from .pipeline import settle

        if not settle(con, self.found, report):
            return None
        return _database(self.db)

    def write(self, report: IngestReport, held: list[Any] | None) -> None:
        """Stamp ``report`` when the database file is still as ``hold`` left it; else remove
        the stamp. A stamp that cannot be written is left out (the next ingest opens the
        database)."""
        try:
            if held is None or _database(self.db) != held:
                self.path.unlink(missing_ok=True)
                return
            summary = {"experiments": [list(astuple(e)) for e in report.experiments],
                       "trials_by_status": report.trials_by_status, "steps": report.steps,
                       "metric_rows": report.metric_rows,
                       "skipped": [list(s) for s in report.skipped]}
            write_atomic(self.path, json.dumps(
                {"format": _FORMAT, "code": _code(), "database": held,
                 "signature": self.signature, "summary": summary}))
        except OSError:
            pass


def _experiment(experiment: ExperimentFolder | SourceExperiment) -> list[Any]:
    """What the pipeline compares to decide that an experiment and its trials are unchanged."""
    unreadable = [[str(p), reason] for p, reason in experiment.unreadable]
    if isinstance(experiment, SourceExperiment):
        return [experiment.source, experiment.path, experiment.name, experiment.fingerprint,
                experiment.state_fingerprint, unreadable,
                [[t.uid, t.path, t.fingerprint, t.key] for t in experiment.trials]]
    return ["ablator", str(experiment.path), str(experiment.master_config),
            [str(p) for p in experiment.state_dbs], experiment.fingerprint,
            experiment.state_fingerprint, unreadable,
            [[t.uid, t.path, t.fingerprint] for t in experiment.trials]]


def _database(db: Path) -> list[Any] | None:
    """The database file's identity; None when it is not a regular file or a write-ahead log
    lies beside it (changes not yet in the file)."""
    try:
        st = os.stat(db)
        if not stat.S_ISREG(st.st_mode) or os.path.lexists(f"{db}.wal"):
            return None
        with open(db, "rb") as handle:
            headers = handle.read(_HEADERS)
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns,
            hashlib.blake2b(headers, digest_size=16).hexdigest()]


@cache
def _code() -> str:
    """Size and mtime of every source file of this package and of DuckDB's modules: another
    version (or an edited checkout) may read, store or summarise otherwise."""
    parts = []
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        parts += [_file(os.path.join(folder, f)) for f in sorted(files)
                  if f.endswith((".py", ".sql"))]
    for module in ("duckdb", "_duckdb"):
        spec = find_spec(module)
        parts.append(_file(spec.origin) if spec and spec.origin else [module])
    return _digest(parts)


def _file(path: str) -> list[Any]:
    try:
        st = os.stat(path)
    except OSError:
        return [path]
    return [path, st.st_size, st.st_mtime_ns]


def _digest(parts: list[Any]) -> str:
    return hashlib.blake2b(json.dumps(parts).encode("ascii"), digest_size=20).hexdigest()


def _read(path: Path, signature: str, database: list[Any] | None) -> IngestReport | None:
    """The summary a stamp holds when it was made for ``signature``, this code and the
    ``database`` file as it is; None for anything else (the stamp is untrusted input)."""
    if database is None:
        return None
    try:
        stamp = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    if not (isinstance(stamp, dict)
            and _same([stamp.get(k) for k in ("format", "signature", "code")],
                      [_FORMAT, signature, _code()])
            and _same(stamp.get("database"), database)):
        return None
    return _summary(stamp.get("summary"))


def _same(stored: Any, database: list[Any]) -> bool:
    """JSON's lists equal, item by item of the same type (``true`` is not 1)."""
    return (isinstance(stored, list) and len(stored) == len(database)
            and all(type(a) is type(b) and a == b for a, b in zip(stored, database, strict=True)))


def _summary(data: Any) -> IngestReport | None:
    """A stamp's summary, checked field by field."""
    try:
        if not isinstance(data, dict):
            raise _Malformed
        experiments = [ExperimentSummary(*_row(e, _EXPERIMENT))
                       for e in _items(data.get("experiments"))]
        by_status = data.get("trials_by_status")
        if not isinstance(by_status, dict):
            raise _Malformed
        for status, count in by_status.items():
            _row([status, count], ((str,), (int,)))
        skipped = [_row(s, ((str,), (str,))) for s in _items(data.get("skipped"))]
        steps, metric_rows = _row([data.get("steps"), data.get("metric_rows")], ((int,),) * 2)
    except _Malformed:
        return None
    return IngestReport(experiments, by_status, steps, metric_rows, 0, 0, 0,
                        [(path, reason) for path, reason in skipped])


class _Malformed(Exception):
    """A stamp that is not one this code writes."""


_TEXT_OR_NONE = (str, type(None))
_EXPERIMENT = ((str,), (str,), _TEXT_OR_NONE, (int,), _TEXT_OR_NONE, _TEXT_OR_NONE)


def _items(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _Malformed
    return value


def _row(value: Any, kinds: tuple[tuple[type, ...], ...]) -> list[Any]:
    """``value``, a list whose items are of ``kinds`` (exactly: a bool is no int; an int is
    a count, not negative)."""
    if not (isinstance(value, list) and len(value) == len(kinds)
            and all(type(v) in k and (type(v) is not int or v >= 0)
                    for v, k in zip(value, kinds, strict=True))):
        raise _Malformed
    return value
