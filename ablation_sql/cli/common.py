"""What the commands share: the options ``--db``, ``--format``, ``--experiment`` and the
reduction (``--policy``, ``--k``, ``--direction``), defined here once; defaults, output
formats, argument types, the progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from ..errors import InputError
from ..store.choices import FORMATS, POLICIES

__all__ = ["DEFAULT_DB", "OUTPUT_FORMATS", "add_db", "add_direction", "add_experiment",
           "add_format", "add_reduction", "direction_of", "metric_direction", "positive",
           "progress"]

DEFAULT_DB = "ablation.duckdb"
OUTPUT_FORMATS = FORMATS


class progress:
    """A tqdm bar on stderr, shown once an ingest takes more than a moment."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar: Any = None  # a tqdm bar, made once the ingest reports progress

    def __enter__(self) -> Callable[[int, int], None] | None:
        return self.update if self.enabled else None

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="trial", desc="ingest", file=sys.stderr,
                            delay=0.5, dynamic_ncols=True)
        self.bar.update(done - self.bar.n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()

def add_db(parser: argparse.ArgumentParser, *, default: str | None = DEFAULT_DB,
           help: str | None = None) -> None:
    """``--db FILE``: the database file (default ``ablation.duckdb``)."""
    parser.add_argument("--db", default=default, metavar="FILE" if default is None else None,
                        help=help or f"database file (default: {default})")


def add_format(parser: argparse.ArgumentParser, choices: tuple[str, ...] = OUTPUT_FORMATS,
               *, what: str = "output format") -> None:
    """``--format``: one of ``choices``, the first by default."""
    parser.add_argument("--format", choices=choices, default=choices[0],
                        help=f"{what} (default: {choices[0]})")


def add_experiment(parser: argparse.ArgumentParser, help: str, *, repeat: bool = False
                   ) -> None:
    """``--experiment ID``: one experiment (``repeat``: a list of them)."""
    parser.add_argument("--experiment", action="append" if repeat else "store", metavar="ID",
                        help=help)


def add_reduction(parser: argparse.ArgumentParser) -> None:
    """``--policy``, ``--k`` and ``--direction [METRIC=]min|max``: how each trial's curve of
    ``--metric`` becomes one value, and which way is better (read back with ``direction_of``)."""
    parser.add_argument("--policy", choices=POLICIES, default="best",
                        help="how each trial's curve is reduced to one value (default: best)")
    parser.add_argument("--k", type=positive, default=5,
                        help="mean_last: how many last values (default: 5)")
    parser.add_argument("--direction", type=metric_direction, metavar="[METRIC=]min|max",
                        help="the metric's direction (default: from optim_metrics)")


def add_direction(parser: argparse.ArgumentParser) -> None:
    """``--direction METRIC=min|max`` (repeatable): a metric's direction, for sources that
    store none (MLflow) or to override the stored one."""
    parser.add_argument("--direction", action="append", type=direction, default=None,
                        metavar="METRIC=min|max",
                        help="the direction of a metric, e.g. val_loss=min (repeatable)")


def direction(text: str) -> tuple[str, str]:
    """``METRIC=min`` or ``METRIC=max`` as (metric, direction)."""
    metric, _, word = text.rpartition("=")
    if not metric or word.lower() not in ("min", "max"):
        raise argparse.ArgumentTypeError(f"{text!r} is not METRIC=min or METRIC=max")
    return metric, word.lower()


def metric_direction(text: str) -> tuple[str | None, str]:
    """``min``, ``max``, ``METRIC=min`` or ``METRIC=max`` as (metric or None, direction)."""
    if text.lower() in ("min", "max"):
        return None, text.lower()
    try:
        return direction(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not min, max, METRIC=min or "
                                         "METRIC=max") from None


def direction_of(given: tuple[str | None, str] | None, metrics: list[str]) -> str | None:
    """The direction given for ``metrics``; InputError when it names another metric."""
    if given is None:
        return None
    named, word = given
    if named is not None and named not in metrics:
        raise InputError(f"--direction {named}={word} names a metric that is not --metric "
                         f"{' '.join(metrics)}")
    return word


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
