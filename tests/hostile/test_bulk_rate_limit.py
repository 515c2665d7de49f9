"""A bulk call meets a 429 from an independent server: the whole batch pauses and slows down."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from chimekit_async import AsyncChimeKit, BulkResult
from chimekit_sync import ChimeKit

from .servers import FunctionServer, Handler, Reply, Seen

ROWS = [{"key": "welcome", "external_user_id": f"u{i}"} for i in range(64)]
PAUSE = 0.3
SERVICE_TIME = 0.02
FILL_WAIT = 2.0


@dataclass
class RateLimitedServer:
    """Answers the ``limit_at``-th request with a 429 asking ``PAUSE`` s, and every request
    arriving inside that window with a 429 too; the others after ``SERVICE_TIME`` s.

    The first requests are held until 8 are in flight at once (or ``FILL_WAIT`` s have
    passed), so a batch sending 8 at a time shows that peak however slowly the machine
    schedules it; a batch sending fewer leaves the peak below 8.
    """

    limit_at: int = 24
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrivals: list[tuple[float, int]] = field(default_factory=list)  # (time, in flight then)
    in_flight: int = 0
    answered_429: int = 0
    window: tuple[float, float] | None = None
    full: threading.Event = field(default_factory=threading.Event)

    def __call__(self, seen: Seen) -> Reply:
        now = time.monotonic()
        with self.lock:
            self.in_flight += 1
            if self.in_flight >= 8:
                self.full.set()
            self.arrivals.append((now, self.in_flight))
            if len(self.arrivals) == self.limit_at:
                self.window = (now, now + PAUSE)
            limited = self.window is not None and now < self.window[1]
            self.answered_429 += limited
        try:
            if limited:
                return Reply(429, {"error": "rate limited"}, {"Retry-After": str(PAUSE)})
            self.full.wait(FILL_WAIT)
            time.sleep(SERVICE_TIME)
            return Reply(200, {"runId": f"run_{len(self.arrivals)}", "status": "queued"})
        finally:
            with self.lock:
                self.in_flight -= 1


def run_batch(flavour: str, base_url: str) -> list[BulkResult[Any]]:
    if flavour == "sync":
        with ChimeKit("sk_test", base_url=base_url) as client:
            return list(client.workflows.run_many(ROWS, concurrency=8))

    async def main() -> list[BulkResult[Any]]:
        async with AsyncChimeKit("sk_test", base_url=base_url) as client:
            return [result async for result in client.workflows.run_many(ROWS, concurrency=8)]

    return asyncio.run(main())


@pytest.mark.slow
@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_a_429_pauses_every_worker_and_halves_concurrency(
    function_server: Callable[[Handler], FunctionServer], flavour: str
) -> None:
    """After a 429 no worker sends until Retry-After has passed, then fewer run at once."""
    rate_limited = RateLimitedServer()
    server = function_server(rate_limited)
    results = run_batch(flavour, server.base_url)

    assert [(result.index, result.ok) for result in results] == [(i, True) for i in range(64)]
    assert rate_limited.window is not None
    started, ends = rate_limited.window
    # Every request arriving inside the window is answered 429. Only the calls already in
    # flight when the first 429 left (8 at most) may arrive there, however late the
    # scheduler delivers them; a worker that kept sending would draw a 429 each time.
    inside = [t for t, _ in rate_limited.arrivals if started <= t < ends]
    assert 1 <= len(inside) <= 8
    before = [load for t, load in rate_limited.arrivals if t < started]
    after = [load for t, load in rate_limited.arrivals if t >= ends]
    assert max(before) == 8
    # Each 429'd row is retried once; at most the 8 calls in flight when it came saw a 429.
    assert 1 <= rate_limited.answered_429 <= 8
    assert len(rate_limited.arrivals) == 64 + rate_limited.answered_429
    # Halved to 4 calls in flight at most, and paced: never back to the 8 of before.
    assert max(after[:8]) <= 4
    assert max(after) < 8
