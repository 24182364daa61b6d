"""Running a function over batches: in this process, on local worker processes, or on a Dask
cluster (``distributed``, imported only then, so a local ingest starts without it)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from itertools import islice
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

from ..errors import InputError

__all__ = ["run_batches"]

# Forked workers start at once and never re-run the caller's script (spawn would, so a script
# without an ``if __name__ == "__main__":`` guard would fail). They only parse files: no DuckDB,
# no Arrow, nothing that a fork of a threaded process could break.
_START_METHOD = "fork" if "fork" in get_all_start_methods() else "spawn"
AHEAD = 2  # batches in flight per local worker

T = TypeVar("T")
R = TypeVar("R")


def run_batches(
    func: Callable[[T], R],
    batches: Sequence[T],
    *,
    workers: int,
    scheduler: Any = None,
) -> Iterator[R]:
    """Yield ``func(batch)`` for every batch, in completion order, as results arrive.

    ``scheduler`` is None (local: in this process for one batch or one worker, else a pool of
    ``workers`` processes), a ``distributed.Client``, or the address of a Dask scheduler.
    """
    if not batches:
        return iter(())
    if scheduler is None:
        if workers <= 1 or len(batches) == 1:
            return map(func, batches)
        return _processes(func, batches, workers)
    return _distributed(func, batches, scheduler)


def _processes(func: Callable[[T], R], batches: Sequence[T], workers: int) -> Iterator[R]:
    """At most ``AHEAD`` batches per worker in flight on a process pool, computed while the
    consumer handles earlier results."""
    pool = ProcessPoolExecutor(workers, mp_context=get_context(_START_METHOD),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))
    todo = iter(batches)
    pending: set[Future] = {pool.submit(func, batch) for batch in islice(todo, AHEAD * workers)}
    try:
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                pending |= {pool.submit(func, batch) for batch in islice(todo, 1)}
                yield future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent(parent: int) -> None:
    """In a worker: end when the ingest process dies (even by SIGKILL), not linger."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="ablation-sql-parent-watch", daemon=True).start()


def _distributed(func: Callable[[T], R], batches: Sequence[T], scheduler: Any) -> Iterator[R]:
    from distributed import Client, as_completed

    own = isinstance(scheduler, str)
    if own:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    else:
        client = scheduler
    try:
        futures = [client.submit(func, batch, pure=False) for batch in batches]
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        if own:
            client.close()
