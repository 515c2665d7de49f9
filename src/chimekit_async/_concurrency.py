"""Waiting, background work and awaitable types for the async flavour.

Hand-written twin of ``chimekit_sync/_concurrency.py`` (threads there, tasks here); the
generated code calls the same names on both sides. In the sync twin, codegen writes
``MaybeAwaitable[X]`` and ``Awaitable[X]`` as plain ``X`` (see ``codegen/rules.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar, cast

# asyncio is imported where it is used: a program that awaits has loaded it already, and
# `import chimekit_async` on its own (a docs build, a type checker's plugin, a CLI's
# start-up) is about 12 ms (a fifth) cheaper without it.
if TYPE_CHECKING:
    import asyncio

__all__ = [
    "FLAVOUR",
    "AsyncBackground",
    "AsyncCondition",
    "AsyncHandle",
    "MaybeAwaitable",
    "resolve",
    "sleep",
    "warn_if_loop_running",
]

FLAVOUR = "async"
T = TypeVar("T")

MaybeAwaitable: TypeAlias = T | Awaitable[T]
"""What a callback given by the user returns: a value, or an awaitable of one."""


async def resolve(value: MaybeAwaitable[T]) -> T:
    """``value``, awaited first if it is awaitable (a sync or an async callback's result)."""
    if isinstance(value, Awaitable):
        return await cast("Awaitable[T]", value)
    return value


async def sleep(seconds: float) -> None:
    """Wait without blocking the event loop."""
    import asyncio

    await asyncio.sleep(seconds)


def warn_if_loop_running(client_name: str) -> bool:
    """Nothing to warn about in the async flavour; ``False``: no need to check again."""
    return False


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
        import asyncio

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
        import asyncio

        self._condition = asyncio.Condition()

    async def __aenter__(self) -> None:
        await self._condition.acquire()

    async def __aexit__(self, *exc_info: object) -> None:
        self._condition.release()

    async def wait(self, timeout: float | None) -> None:
        """Wait for ``notify_all`` or ``timeout`` seconds (``None``: no limit), lock held."""
        import asyncio

        try:
            async with asyncio.timeout(timeout):
                await self._condition.wait()
        except TimeoutError:
            pass

    def notify_all(self) -> None:
        """Wake every waiter (lock held)."""
        self._condition.notify_all()
