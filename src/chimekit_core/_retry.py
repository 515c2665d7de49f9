"""The retry policy: which failures are retried, and how long to wait before the next try.

Both flavours hand this policy to tenacity (``AsyncRetrying``/``Retrying``); the
decisions themselves live here once.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from ._exceptions import APIConnectionError, APIStatusError, APITimeoutError

if TYPE_CHECKING:
    import tenacity

__all__ = ["RETRYABLE_STATUSES", "DeadlineExceeded", "RetryPolicy", "retry_after_seconds"]

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class DeadlineExceeded(APITimeoutError):
    """A call ran out of its overall deadline (internal: raised as an ``APITimeoutError``).

    Raised when no time is left for another attempt, or when an attempt cut short by the
    deadline timed out; never retried. ``wait_for_run`` turns it into its documented
    "not finished" error.
    """


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


def _check_number(name: str, value: object, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"RetryPolicy.{name} must be a number, not {type(value).__name__}")
    if not minimum <= value < float("inf"):
        raise ValueError(f"RetryPolicy.{name} must be a finite number >= {minimum}, got {value!r}")
    return float(value)


def _check_initial(value: object) -> float:
    return _check_number("initial", value)


def _check_maximum(value: object) -> float:
    return _check_number("maximum", value)


def _check_max_retry_after(value: object) -> float:
    return _check_number("max_retry_after", value)


def _check_max_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"RetryPolicy.max_retries must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"RetryPolicy.max_retries must be >= 0, got {value}")
    return value


def _check_jitter(value: object) -> tuple[float, float]:
    if not isinstance(value, tuple) or len(value) != 2:
        raise TypeError("RetryPolicy.jitter must be a (low, high) tuple of factors")
    low = _check_number("jitter[0]", value[0])
    high = _check_number("jitter[1]", value[1])
    if low > high:
        raise ValueError(f"RetryPolicy.jitter must have low <= high, got {value!r}")
    return (low, high)


def _check_statuses(value: object) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise TypeError("RetryPolicy.retry_statuses must be a set of HTTP status codes")
    statuses = frozenset(value)
    for status in statuses:
        if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
            raise ValueError(f"RetryPolicy.retry_statuses holds {status!r}, not an HTTP status")
    return statuses


@attrs.frozen
class RetryPolicy:
    """When to retry a failed request, and how long to wait first.

    Connection errors (resets, truncated bodies) and timeouts are always retried, as are
    the statuses in ``retry_statuses``; other errors never are. The wait before retry
    ``n`` (0-based) is ``min(initial * 2**n, maximum)`` times a random factor drawn from
    ``jitter``. A server's ``Retry-After`` (or ``retry-after-ms``) never shortens that
    wait: the client waits ``max(backoff, retry_after)`` while ``retry_after`` is at most
    ``max_retry_after`` seconds; a longer one is not waited for, and the error is raised
    at once so the caller can reschedule (``RateLimitError.retry_after``).

    Pass one to the client (``retry=``) or to ``with_options``; ``max_retries=`` on the
    client or on a call still sets the number of retries.

    Attributes:
        max_retries: Retries after the first try.
        initial: Backoff before the first retry, in seconds.
        maximum: The longest backoff, in seconds.
        jitter: The range of the random factor applied to each backoff.
        max_retry_after: The longest ``Retry-After`` the client waits for, in seconds.
        retry_statuses: The HTTP statuses that are retried.

    Example:
        >>> RetryPolicy(max_retries=5, maximum=2.0).max_retries
        5
    """

    max_retries: int = attrs.field(default=2, converter=_check_max_retries)
    initial: float = attrs.field(default=0.5, converter=_check_initial)
    maximum: float = attrs.field(default=8.0, converter=_check_maximum)
    jitter: tuple[float, float] = attrs.field(default=(0.75, 1.0), converter=_check_jitter)
    max_retry_after: float = attrs.field(default=60.0, converter=_check_max_retry_after)
    retry_statuses: frozenset[int] = attrs.field(
        default=RETRYABLE_STATUSES, converter=_check_statuses
    )

    def is_retryable(self, exc: BaseException) -> bool:
        """Whether ``exc`` is a failure worth another try."""
        if isinstance(exc, DeadlineExceeded):
            return False
        if isinstance(exc, APIConnectionError):
            return True
        if isinstance(exc, APIStatusError) and exc.status_code in self.retry_statuses:
            asked = retry_after_seconds(exc.response_headers)
            return asked is None or asked <= self.max_retry_after
        return False

    def backoff(self, retry_number: int) -> float:
        """The computed backoff before retry ``retry_number`` (0 for the first), jittered."""
        backoff = min(self.initial * 2**retry_number, self.maximum)
        return float(backoff * random.uniform(*self.jitter))  # noqa: S311 - jitter, not crypto

    def wait_before(self, retry_number: int, exc: BaseException | None) -> float:
        """Seconds to wait before retry ``retry_number`` (0 for the first retry) after ``exc``.

        A server hint never shortens the computed backoff: ``max(backoff, retry_after)``.
        """
        backoff = self.backoff(retry_number)
        if isinstance(exc, APIStatusError):
            asked = retry_after_seconds(exc.response_headers)
            if asked is not None and asked <= self.max_retry_after:
                return max(backoff, asked)
        return backoff

    def tenacity_options(
        self, max_retries: int, *, deadline: float | None = None, before_sleep: Any = None
    ) -> dict[str, Any]:
        """Keyword arguments for ``tenacity.AsyncRetrying``/``Retrying``.

        The caller runs the first try itself and enters tenacity only after a retryable
        failure, replaying that failure as tenacity's first attempt; so tenacity makes
        ``max_retries + 1`` attempts, the first of which sends nothing.

        Args:
            max_retries: Retries after the first try.
            deadline: A ``time.monotonic()`` value that no backoff waits past: the wait is
                cut to the time left, and the attempt after it raises ``DeadlineExceeded``
                (not retried) if no time is left.
            before_sleep: tenacity's ``before_sleep`` callback.
        """
        import tenacity

        def wait(state: tenacity.RetryCallState) -> float:
            outcome = state.outcome
            exc = outcome.exception() if outcome is not None else None
            seconds = self.wait_before(state.attempt_number - 1, exc)
            if deadline is not None:
                seconds = max(0.0, min(seconds, deadline - time.monotonic()))
            return seconds

        options: dict[str, Any] = {
            "retry": tenacity.retry_if_exception(self.is_retryable),
            "stop": tenacity.stop_after_attempt(max_retries + 1),
            "wait": wait,
            "reraise": True,
        }
        if before_sleep is not None:
            options["before_sleep"] = before_sleep
        return options
