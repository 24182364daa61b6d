"""Importing modules in a background thread while an ingest's workers parse, so that their
import time overlaps the parsing instead of adding to it."""

from __future__ import annotations

import threading
from importlib import import_module

__all__ = ["BackgroundImport"]


class BackgroundImport:
    """An ingest's ``on_progress``: at the first parsed batch, import ``modules`` in a thread.

    Not before: the local workers are forked at the first batch's submission, and a fork in
    the middle of an import could leave that module's lock held in the child. ``wait()`` joins
    the thread; an import that failed there is left for the caller's own import to raise.
    """

    def __init__(self, *modules: str) -> None:
        self._modules = modules
        self._thread: threading.Thread | None = None

    def __call__(self, done: int, total: int) -> None:
        if done and self._thread is None:
            self._thread = threading.Thread(target=self._import, daemon=True,
                                            name="ablation-sql-background-import")
            self._thread.start()

    def wait(self) -> None:
        """Return once the imports are done (at once if they never started)."""
        if self._thread is not None:
            self._thread.join()

    def _import(self) -> None:
        for name in self._modules:
            try:
                import_module(name)
            except Exception:  # noqa: BLE001 - the caller's own import raises it again
                return
