"""The retry policy's decisions, without any I/O."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest

from chimekit_core import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    RateLimitError,
    RetryPolicy,
)
from chimekit_core._retry import retry_after_seconds


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after": "-1"}, None),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after-ms": "x", "retry-after": "2"}, 2.0),
    ],
)
def test_retry_after_forms(headers: dict[str, str], expected: float | None) -> None:
    """Seconds, milliseconds and junk are read as the contract says."""
    assert retry_after_seconds(headers) == expected


def test_retry_after_http_date() -> None:
    """An HTTP-date means the seconds until then (never negative)."""
    later = retry_after_seconds({"retry-after": formatdate(time.time() + 30, usegmt=True)})
    assert later is not None
    assert 25 <= later <= 31
    assert retry_after_seconds({"retry-after": formatdate(time.time() - 30, usegmt=True)}) == 0.0


def _status(cls: type, status: int, headers: dict[str, str] | None = None) -> Exception:
    return cls("x", status_code=status, response_headers=headers or {})  # type: ignore[no-any-return]


def test_what_is_retried() -> None:
    """Connection failures, timeouts, 408/429/5xx are retried; other 4xx and long waits are not."""
    policy = RetryPolicy(max_retries=2)
    assert policy.is_retryable(APIConnectionError("reset"))
    assert policy.is_retryable(APITimeoutError("slow"))
    for status in (408, 500, 502, 503, 504):
        assert policy.is_retryable(_status(InternalServerError, status))
    assert policy.is_retryable(_status(RateLimitError, 429, {"retry-after": "60"}))
    assert not policy.is_retryable(_status(RateLimitError, 429, {"retry-after": "61"}))
    assert not policy.is_retryable(_status(BadRequestError, 400))
    assert not policy.is_retryable(ValueError("not ours"))


def test_backoff_is_capped_and_jittered() -> None:
    """min(0.5 * 2**n, 8) times a factor in [0.75, 1]; Retry-After replaces it."""
    policy = RetryPolicy(max_retries=10)
    for number in range(10):
        base = min(0.5 * 2**number, 8.0)
        for _ in range(20):
            assert 0.75 * base <= policy.wait_before(number, None) <= base
    limited = _status(RateLimitError, 429, {"retry-after": "4"})
    assert policy.wait_before(0, limited) == 4.0
