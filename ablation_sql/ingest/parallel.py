"""Running a function over batches with Dask: the local scheduler or a distributed cluster."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

import dask

from ..errors import InputError

__all__ = ["run_batches"]

# Forked workers start at once and never re-run the caller's script (spawn would, so a script
# without an ``if __name__ == "__main__":`` guard would fail). They only parse files: no DuckDB,
# no Arrow, nothing that a fork of a threaded process could break.
_START_METHOD = "fork" if "fork" in get_all_start_methods() else "spawn"

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

    ``scheduler`` is None (Dask's local scheduler: processes, or synchronous for one batch
    or one worker), a ``distributed.Client``, or the address of a Dask scheduler.
    """
    if not batches:
        return iter(())
    if scheduler is None:
        if workers <= 1 or len(batches) == 1:
            return _synchronous(func, batches)
        return _processes(func, batches, workers)
    return _distributed(func, batches, scheduler)


def _synchronous(func: Callable[[T], R], batches: Sequence[T]) -> Iterator[R]:
    for batch in batches:
        (result,) = dask.compute(dask.delayed(func)(batch), scheduler="sync")
        yield result


def _processes(func: Callable[[T], R], batches: Sequence[T], workers: int) -> Iterator[R]:
    """Waves of two batches per worker on a process pool, computed ahead of the consumer."""
    results: queue.Queue = queue.Queue(maxsize=2)
    stop = threading.Event()
    pool = ProcessPoolExecutor(workers, mp_context=get_context(_START_METHOD),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))

    def produce() -> None:
        try:
            for start in range(0, len(batches), 2 * workers):
                if stop.is_set():
                    return
                wave = [dask.delayed(func)(b) for b in batches[start:start + 2 * workers]]
                # chunksize=1: Dask would otherwise send up to 6 ready tasks to one worker.
                for result in dask.compute(*wave, scheduler="processes", pool=pool,
                                           chunksize=1):
                    results.put(("result", result))
            results.put(("end", None))
        except BaseException as exc:  # handed to the consumer, which re-raises it
            results.put(("error", exc))

    thread = threading.Thread(target=produce, name="ablation-sql-parse", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = results.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        while thread.is_alive():
            try:
                results.get(timeout=0.05)
            except queue.Empty:
                pass
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
