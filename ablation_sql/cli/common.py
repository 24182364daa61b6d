"""What the commands share: the options ``--db``, ``--format`` and ``--experiment`` (defined
here once), defaults, output formats, argument types, the progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..store.render import FORMATS

__all__ = ["DEFAULT_DB", "OUTPUT_FORMATS", "add_db", "add_direction", "add_experiment",
           "add_format", "positive", "progress"]

DEFAULT_DB = "ablation.duckdb"
OUTPUT_FORMATS = FORMATS


class progress:
    """A tqdm bar on stderr, shown once an ingest takes more than a moment."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.bar = None

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


def add_direction(parser: argparse.ArgumentParser) -> None:
    """``--direction METRIC=min|max`` (repeatable): a metric's direction, for sources that
    store none (MLflow) or to override the stored one."""
    parser.add_argument("--direction", action="append", type=direction, default=None,
                        metavar="METRIC=min|max",
                        help="the direction of a metric, e.g. val_loss=min (repeatable)")


def direction(text: str) -> tuple[str, str]:
    metric, _, word = text.rpartition("=")
    if not metric or word.lower() not in ("min", "max"):
        raise argparse.ArgumentTypeError(f"{text!r} is not METRIC=min or METRIC=max")
    return metric, word.lower()


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
