"""The retry policy: which failures are retried, and how long to wait before the next try.

Both flavours hand this policy to tenacity (``AsyncRetrying``/``Retrying``); the
decisions themselves live here once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._exceptions import APIConnectionError, APIStatusError

if TYPE_CHECKING:
    import tenacity

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "retry_after_seconds"]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked to wait, or ``None``.

    ``retry-after-ms`` wins; else ``Retry-After`` as seconds or as an HTTP-date.
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = -1.0
        if value >= 0 and value == value:
            return value
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        from email.utils import parsedate_to_datetime  # rare path; keeps the import cheap

        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
        return max(seconds, 0.0)
    if seconds != seconds or seconds < 0:
        return None
    return seconds


@attrs.frozen
class RetryPolicy:
    """When to retry a failed request and how long to wait first.

    Retried: connection errors (resets, truncated bodies), timeouts, and the statuses
    in ``RETRYABLE_STATUSES``. The wait before retry ``n`` (0-based) is
    ``min(initial * 2**n, maximum)`` times a jitter factor in ``jitter``; a
    ``Retry-After`` (or ``retry-after-ms``) of at most ``max_retry_after`` seconds
    replaces it, and a longer one stops the retries so the caller can reschedule.

    Attributes:
        max_retries: Retries after the first try.
    """

    max_retries: int
    initial: float = 0.5
    maximum: float = 8.0
    jitter: tuple[float, float] = (0.75, 1.0)
    max_retry_after: float = 60.0

    def is_retryable(self, exc: BaseException) -> bool:
        """Whether ``exc`` is a failure worth another try."""
        if isinstance(exc, APIConnectionError):
            return True
        if isinstance(exc, APIStatusError) and exc.status_code in RETRYABLE_STATUSES:
            asked = retry_after_seconds(exc.response_headers)
            return asked is None or asked <= self.max_retry_after
        return False

    def wait_before(self, retry_number: int, exc: BaseException | None) -> float:
        """Seconds to wait before retry ``retry_number`` (0 for the first retry) after ``exc``."""
        if isinstance(exc, APIStatusError):
            asked = retry_after_seconds(exc.response_headers)
            if asked is not None and asked <= self.max_retry_after:
                return asked
        backoff = min(self.initial * 2**retry_number, self.maximum)
        return float(backoff * random.uniform(*self.jitter))  # noqa: S311 - jitter, not crypto

    def tenacity_options(self, max_retries: int, before_sleep: Any = None) -> dict[str, Any]:
        """Keyword arguments for ``tenacity.AsyncRetrying``/``Retrying``.

        The caller runs the first try itself and enters tenacity only after a retryable
        failure, replaying that failure as tenacity's first attempt; so tenacity makes
        ``max_retries + 1`` attempts, the first of which sends nothing.
        """
        import tenacity

        def wait(state: tenacity.RetryCallState) -> float:
            outcome = state.outcome
            exc = outcome.exception() if outcome is not None else None
            return self.wait_before(state.attempt_number - 1, exc)

        options: dict[str, Any] = {
            "retry": tenacity.retry_if_exception(self.is_retryable),
            "stop": tenacity.stop_after_attempt(max_retries + 1),
            "wait": wait,
            "reraise": True,
        }
        if before_sleep is not None:
            options["before_sleep"] = before_sleep
        return options
