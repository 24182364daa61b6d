"""What the commands share: defaults, output formats, argument types, the progress bar."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from .render import FORMATS

__all__ = ["DEFAULT_DB", "OUTPUT_FORMATS", "positive", "progress"]

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



def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
