# GENERATED from src/chimekit_async/_bulk.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""The bulk engine behind ``identify_many``, ``send_many`` and ``run_many``.

Rows are pulled lazily, at most ``concurrency`` ahead of the result the caller is
reading, each in its own worker; results come back in input order. Every call goes
through the single method with ``max_retries=0``: the engine retries itself, so that a
429 pauses the whole batch and lowers its concurrency (``ConcurrencyLimit`` in core)
instead of every worker retrying on its own, while other retryable failures are retried
per row with the client's policy. Each row keeps one ``Idempotency-Key`` for all its
tries: its own, the one ``idempotency_key(row)`` derives, or one made up here.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from chimekit_core._bulk import (
    BulkResult,
    ConcurrencyLimit,
    RowAttempts,
    RowSpec,
    bad_row_error,
    check_bulk_arguments,
    row_key,
)
from chimekit_core._exceptions import ChimeKitError

from ._concurrency import FLAVOUR, SyncBackground, SyncCondition, SyncHandle, sleep

if TYPE_CHECKING:
    from ._client import ChimeKit

__all__ = ["Rows", "bulk"]

T = TypeVar("T")

Rows = Iterable[Mapping[str, Any]]
"""What a bulk call takes: any iterable of rows."""


class _Stopped(Exception):
    """The caller stopped reading results: workers still waiting to start give up."""


def bulk(
    client: ChimeKit,
    spec: RowSpec,
    call: Callable[..., T],
    rows: Rows,
    concurrency: int,
    idempotency_key: Callable[[Any], str] | None,
) -> Iterator[BulkResult[T]]:
    """Check the arguments now, and return the iterator that runs the batch as it is read."""
    ceiling = check_bulk_arguments(
        rows, concurrency, idempotency_key, async_rows=FLAVOUR == "async"
    )
    batch = _Batch(client, spec, call, ceiling, idempotency_key)
    return batch.results(rows)


class _Batch(Generic[T]):
    def __init__(
        self,
        client: ChimeKit,
        spec: RowSpec,
        call: Callable[..., T],
        ceiling: int,
        idempotency_key: Callable[[Any], str] | None,
    ) -> None:
        self._client = client
        self._spec = spec
        self._call = call
        self._ceiling = ceiling
        self._key = idempotency_key
        self.limit = ConcurrencyLimit(ceiling)
        self._condition = SyncCondition()
        self._stopped = False

    def results(self, rows: Rows) -> Iterator[BulkResult[T]]:
        workers = SyncBackground(self._ceiling)
        window: deque[SyncHandle[BulkResult[T]]] = deque()
        try:
            index = 0
            for row in _each(rows):
                window.append(workers.start(self._run_row, index, row))
                index += 1
                if len(window) >= self._ceiling:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            with self._condition:
                self._stopped = True
                self._condition.notify_all()
            workers.cancel(window)
            workers.close()

    def _run_row(self, index: int, row: Any) -> BulkResult[T]:
        try:
            arguments = self._spec.arguments(row)
            key = row_key(arguments, row, self._key)
        except Exception as exc:
            return BulkResult(index, row, error=bad_row_error(index, self._spec, exc))
        if key is None:
            key = str(uuid.uuid4())  # one key for every try of this row
        attempts = RowAttempts(self._client._retry_policy, self._client._config.max_retries)
        while True:
            started_round = self._admit()
            try:
                value = self._call(**arguments, idempotency_key=key, max_retries=0)
            except (ValueError, TypeError) as exc:
                self._release(started_round, "failed")
                return BulkResult(index, row, error=bad_row_error(index, self._spec, exc))
            except ChimeKitError as exc:
                follow = attempts.after(exc)
                if follow.action == "pause":
                    self._release(started_round, "rate_limited", follow.seconds)
                    continue
                self._release(started_round, "failed")
                if follow.action == "retry":
                    sleep(follow.seconds)
                    continue
                return BulkResult(index, row, error=exc)
            except BaseException:
                self._release(started_round, "failed")
                raise
            self._release(started_round, "succeeded")
            return BulkResult(index, row, value=value)

    def _admit(self) -> int:
        with self._condition:
            while True:
                if self._stopped:
                    raise _Stopped
                now = time.monotonic()
                wait = self.limit.wait_time(now)
                if wait == 0.0:
                    return self.limit.start(now)
                self._condition.wait(wait)

    def _release(
        self,
        started_round: int,
        outcome: Literal["succeeded", "failed", "rate_limited"],
        pause: float = 0.0,
    ) -> None:
        with self._condition:
            if outcome == "succeeded":
                self.limit.succeeded(started_round, time.monotonic())
            elif outcome == "rate_limited":
                self.limit.rate_limited(started_round, time.monotonic(), pause)
            else:
                self.limit.finished()
            self._condition.notify_all()


def _each(rows: Rows) -> Iterator[Mapping[str, Any]]:
    if isinstance(rows, Iterable):
        for row in rows:
            yield row
    else:
        for row in rows:
            yield row
