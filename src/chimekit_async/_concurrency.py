"""Waiting and background work for the async flavour.

Hand-written twin of ``chimekit_sync/_concurrency.py`` (threads there, tasks here); the
generated code calls the same names on both sides.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

__all__ = ["FLAVOUR", "AsyncBackground", "AsyncCondition", "AsyncHandle", "sleep"]

FLAVOUR = "async"
T = TypeVar("T")


async def sleep(seconds: float) -> None:
    """Wait without blocking the event loop."""
    await asyncio.sleep(seconds)


class AsyncHandle(Generic[T]):
    """A piece of background work whose result is awaited later."""

    def __init__(self, task: asyncio.Future[T]) -> None:
        self._task = task

    async def result(self) -> T:
        """Wait for the work and return its result (or raise its error)."""
        return await self._task

    def cancel(self) -> None:
        """Stop the work if it has not finished."""
        self._task.cancel()


class AsyncBackground:
    """Starts work that runs while the caller does something else (page prefetch).

    Args:
        workers: How much work may run at once (the caller keeps to it; tasks need no pool).
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def start(self, fn: Callable[..., Awaitable[T]], *args: Any) -> AsyncHandle[T]:
        """Start ``fn(*args)`` in the background."""
        task = asyncio.ensure_future(fn(*args))
        task.add_done_callback(_retrieve)
        return AsyncHandle(task)

    def cancel(self, handles: Iterable[AsyncHandle[Any]]) -> None:
        """Cancel work that is no longer wanted."""
        for handle in handles:
            handle.cancel()

    def close(self) -> None:
        """Release the background machinery (nothing to do for tasks)."""


def _retrieve(task: asyncio.Future[Any]) -> None:
    # A prefetched page nobody awaits (the caller stopped early) must not log
    # "exception was never retrieved".
    if not task.cancelled():
        task.exception()


class AsyncCondition:
    """A condition variable whose ``wait`` takes a timeout (the bulk engine's admission).

    Use as ``async with cond:`` around reading or changing the shared state, then
    ``await cond.wait(timeout)`` inside it, or ``cond.notify_all()`` after a change.
    """

    def __init__(self) -> None:
        self._condition = asyncio.Condition()

    async def __aenter__(self) -> None:
        await self._condition.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self._condition.release()

    async def wait(self, timeout: float | None) -> None:
        """Wait for ``notify_all`` or ``timeout`` seconds (``None``: no limit), lock held."""
        try:
            async with asyncio.timeout(timeout):
                await self._condition.wait()
        except TimeoutError:
            pass

    def notify_all(self) -> None:
        """Wake every waiter (lock held)."""
        self._condition.notify_all()
