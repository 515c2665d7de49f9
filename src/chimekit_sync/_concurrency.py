"""Waiting and background work for the sync flavour.

Hand-written twin of ``chimekit_async/_concurrency.py`` (tasks there, threads here); the
generated code calls the same names on both sides.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

__all__ = ["FLAVOUR", "SyncBackground", "SyncCondition", "SyncHandle", "sleep"]

FLAVOUR = "sync"
T = TypeVar("T")


def sleep(seconds: float) -> None:
    """Block the calling thread for ``seconds``."""
    time.sleep(seconds)


class SyncHandle(Generic[T]):
    """A piece of background work whose result is collected later."""

    def __init__(self, future: Future[T]) -> None:
        self._future = future

    def result(self) -> T:
        """Wait for the work and return its result (or raise its error)."""
        return self._future.result()

    def cancel(self) -> None:
        """Stop the work if it has not started."""
        self._future.cancel()


class SyncBackground:
    """Runs work on a few threads while the caller does something else (page prefetch).

    Args:
        workers: How many threads at most; made on first use, ended by ``close``.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None

    def start(self, fn: Callable[..., T], *args: Any) -> SyncHandle[T]:
        """Start ``fn(*args)`` on a worker thread."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(
                max_workers=max(1, self.workers), thread_name_prefix="chimekit-prefetch"
            )
        return SyncHandle(self._executor.submit(fn, *args))

    def cancel(self, handles: Iterable[SyncHandle[Any]]) -> None:
        """Cancel work that is no longer wanted (work already running finishes)."""
        for handle in handles:
            handle.cancel()

    def close(self) -> None:
        """Stop the worker threads without waiting for running work."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


class SyncCondition:
    """A condition variable whose ``wait`` takes a timeout (the bulk engine's admission).

    Use as ``with cond:`` around reading or changing the shared state, then
    ``cond.wait(timeout)`` inside it, or ``cond.notify_all()`` after a change.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()

    def __enter__(self) -> None:
        self._condition.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self._condition.release()

    def wait(self, timeout: float | None) -> None:
        """Wait for ``notify_all`` or ``timeout`` seconds (``None``: no limit), lock held."""
        self._condition.wait(timeout)

    def notify_all(self) -> None:
        """Wake every waiter (lock held)."""
        self._condition.notify_all()
