"""Waiting and background work for the sync flavour.

Hand-written twin of ``chimekit_async/_concurrency.py`` (tasks there, threads here); the
generated code calls the same names on both sides.
"""

from __future__ import annotations

import contextvars
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

__all__ = [
    "FLAVOUR",
    "SyncBackground",
    "SyncCondition",
    "SyncHandle",
    "resolve",
    "sleep",
    "warn_if_loop_running",
]

FLAVOUR = "sync"
T = TypeVar("T")


def resolve(value: T) -> T:
    """``value`` itself: a sync callback's result needs no waiting."""
    return value


def sleep(seconds: float) -> None:
    """Block the calling thread for ``seconds``."""
    time.sleep(seconds)


def warn_if_loop_running(client_name: str) -> bool:
    """Warn (once per client) when a blocking call is made on a thread running an event loop.

    A sync call there stalls every other task of the loop until the response arrives.

    Returns:
        Whether the caller should check again on its next call (``False`` once warned).
    """
    asyncio = sys.modules.get("asyncio")
    if asyncio is None or asyncio._get_running_loop() is None:
        return True
    warnings.warn(
        f"{client_name} was called from a thread that runs an asyncio event loop; each call "
        "blocks the loop until the response arrives. Use AsyncChimeKit (from chimekit_async) "
        "in async code.",
        RuntimeWarning,
        stacklevel=5,  # the caller's line: warn_if_loop_running < _send < _get < method
    )
    return False


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
        # The work runs in a copy of the caller's context, so context variables (tracing
        # spans, structured-log context, what token providers read) follow it.
        context = contextvars.copy_context()
        return SyncHandle(self._executor.submit(context.run, fn, *args))

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
