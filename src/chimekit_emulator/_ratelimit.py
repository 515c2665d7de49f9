"""A per-API-key rate limit: at most N requests in any sliding one-second window.

A sliding log (the times of the admitted requests of the last second, per key) rather than a
token bucket, so the count is exact: a burst of M requests within one second gets exactly
``M - N`` answers of 429, whatever the timing inside the burst. Refused requests do not count
against the window, so a client that waits as told always gets through.
"""

from __future__ import annotations

import math
import time
from collections import deque
from typing import Final

WINDOW_SECONDS: Final = 1.0


class RateLimiter:
    """At most ``limit`` admitted requests per API key in any one-second window.

    Args:
        limit: Requests per second per API key; ``None`` turns the limit off.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._admitted: dict[str, deque[float]] = {}

    def set_limit(self, limit: int | None) -> None:
        """Change the limit and forget every key's history (a fresh window for everyone)."""
        self.limit = limit
        self._admitted.clear()

    def admit(self, key_id: str, at: float | None = None) -> float | None:
        """Admit a request for ``key_id`` now, or say how long until one would be admitted.

        Returns:
            ``None`` when admitted (and counted), else the seconds to wait (> 0).
        """
        if self.limit is None:
            return None
        moment = time.monotonic() if at is None else at
        log = self._admitted.setdefault(key_id, deque())
        while log and log[0] <= moment - WINDOW_SECONDS:
            log.popleft()
        if len(log) < self.limit:
            log.append(moment)
            return None
        return log[0] + WINDOW_SECONDS - moment


def retry_after_headers(wait: float) -> dict[str, str]:
    """``Retry-After`` in whole seconds (rounded up, at least 1) and ``retry-after-ms``."""
    return {
        "Retry-After": str(max(1, math.ceil(wait))),
        "retry-after-ms": str(max(1, math.ceil(wait * 1000))),
    }
