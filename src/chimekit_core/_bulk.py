"""Bulk calls, flavour-free: results, row checking, and the batch's concurrency decisions.

Both flavours run a batch with the same engine (``chimekit_async/_bulk.py`` and its
generated sync twin); every decision it makes lives here:

- ``RowSpec`` turns a row (a mapping of a single call's keyword arguments) into those
  arguments, or says what is wrong with it, before any request.
- ``ConcurrencyLimit`` is the batch's AIMD controller: the limit grows by one per round
  of successful calls (additive increase), halves on a 429 (multiplicative decrease, at
  most once per round, so eight calls rejected together halve it once), and a 429 pauses
  every worker of the batch for the ``Retry-After``.
- ``RowAttempts`` decides, after a failure, whether a row is tried again and how long it
  waits first: a 429 waits for the batch pause and does not use up the row's retries;
  other retryable failures use the client's ``RetryPolicy`` and ``max_retries``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Literal, TypeVar

import attrs

from ._exceptions import APIStatusError, ChimeKitError
from ._retry import RetryPolicy, retry_after_seconds

__all__ = [
    "DEFAULT_CONCURRENCY",
    "IDENTIFY_ROW",
    "MAX_RATE_LIMITED_ATTEMPTS",
    "RUN_ROW",
    "SEND_ROW",
    "BulkResult",
    "ConcurrencyLimit",
    "Next",
    "RowAttempts",
    "RowSpec",
    "bad_row_error",
    "check_bulk_arguments",
    "row_key",
]

T = TypeVar("T")

DEFAULT_CONCURRENCY = 32
"""Calls in flight at most, unless a bulk call is given ``concurrency=``.

A batch cannot beat a loop by more than its concurrency (the loop waits one latency per
call, the batch one per ``concurrency`` calls), so 8 would cap the speed-up at 8x. 32 is
the sync client's connection pool per host (more would open connections it does not
keep), and costs nothing against a rate limit: the first 429 halves it, and it only grows
back while calls succeed.
"""

MAX_RATE_LIMITED_ATTEMPTS = 20
"""A row answered 429 this many times in a row fails with the ``RateLimitError``."""


@attrs.frozen
class BulkResult(Generic[T]):
    """The outcome of one row of a bulk call (``identify_many``, ``send_many``, ``run_many``).

    Attributes:
        index: The row's 0-based position in the input.
        row: The row as given.
        value: What the single call returned (``Member``, ``SentMessage``,
            ``WorkflowRunRef``), or ``None`` when the row failed.
        error: Why the row failed, or ``None``. API and connection errors are the single
            call's own exceptions (after the retries); a row that is not valid input (a
            missing or unknown key, a wrong type, an ``idempotency_key`` function that
            raised) is a plain ``ChimeKitError`` whose ``__cause__`` is the
            ``ValueError``/``TypeError`` that says what is wrong, and sends nothing.
    """

    index: int
    row: Any
    value: T | None = None
    error: ChimeKitError | None = None

    @property
    def ok(self) -> bool:
        """Whether the row succeeded."""
        return self.error is None


@attrs.frozen
class RowSpec:
    """Which keys a row of one bulk method may carry.

    Attributes:
        method: The single call the rows feed, e.g. ``"messages.send"`` (for messages).
        required: Keys every row must have.
        optional: Keys a row may have.
    """

    method: str
    required: frozenset[str]
    optional: frozenset[str]

    def arguments(self, row: object) -> dict[str, Any]:
        """The keyword arguments of the single call for ``row``.

        Raises:
            TypeError: ``row`` is not a mapping with string keys.
            ValueError: a required key is missing, or a key is unknown.
        """
        if not isinstance(row, Mapping):
            raise TypeError(
                f"each row must be a mapping of {self.method} arguments, not {type(row).__name__}"
            )
        arguments = dict(row)
        names = set(arguments)
        if not all(isinstance(name, str) for name in names):
            raise TypeError("row keys must be strings (the single call's argument names)")
        missing = self.required - names
        if missing:
            raise ValueError(f"row is missing {_names(missing)} (required by {self.method})")
        unknown = names - self.required - self.optional
        if unknown:
            hint = ""
            if "max_retries" in unknown:
                hint = "; retries are the bulk call's to decide"
            raise ValueError(
                f"row has unknown {_names(unknown)} for {self.method}; "
                f"allowed: {', '.join(sorted(self.required | self.optional))}{hint}"
            )
        return arguments


def _names(names: set[str] | frozenset[str]) -> str:
    quoted = ", ".join(repr(name) for name in sorted(names))
    return f"key{'s' if len(names) > 1 else ''} {quoted}"


_OPTIONS = frozenset({"idempotency_key", "timeout", "extra_headers"})

IDENTIFY_ROW = RowSpec(
    "audience.identify",
    required=frozenset({"external_user_id"}),
    optional=_OPTIONS | {"display_name", "attributes", "identities"},
)
SEND_ROW = RowSpec(
    "messages.send",
    required=frozenset({"external_user_id", "content"}),
    optional=_OPTIONS | {"category_id"},
)
RUN_ROW = RowSpec(
    "workflows.run",
    required=frozenset({"key", "external_user_id"}),
    optional=_OPTIONS | {"context"},
)


def check_bulk_arguments(
    rows: object, concurrency: object, idempotency_key: object, *, async_rows: bool
) -> int:
    """Check a bulk call's own arguments before anything runs; return the concurrency.

    Raises:
        TypeError: ``rows`` is not iterable, ``concurrency`` is not an int, or
            ``idempotency_key`` is not callable.
        ValueError: ``concurrency`` is below 1.
    """
    iterable = hasattr(rows, "__iter__") or (async_rows and hasattr(rows, "__aiter__"))
    if not iterable or isinstance(rows, str | bytes | Mapping):
        kinds = "an iterable or async iterable" if async_rows else "an iterable"
        raise TypeError(f"rows must be {kinds} of mappings, not {type(rows).__name__}")
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise TypeError(f"concurrency must be an int, not {type(concurrency).__name__}")
    if concurrency < 1:
        raise ValueError(f"concurrency must be at least 1, got {concurrency}")
    if idempotency_key is not None and not callable(idempotency_key):
        raise TypeError(
            "idempotency_key must be a function of the row returning a string, "
            f"not {type(idempotency_key).__name__}"
        )
    return concurrency


def row_key(
    arguments: dict[str, Any], row: Any, idempotency_key: Callable[[Any], str] | None
) -> str | None:
    """The ``Idempotency-Key`` a row is sent with, or ``None`` to let the engine make one.

    Pops ``idempotency_key`` out of ``arguments``: a row may carry its own key, or the
    bulk call's ``idempotency_key`` function derives it from the row, not both.

    Raises:
        ValueError: both give a key, or the function returned an empty string.
        TypeError: the function returned something other than a string.
    """
    own = arguments.pop("idempotency_key", None)
    if idempotency_key is None:
        return own  # type: ignore[no-any-return]
    if own is not None:
        raise ValueError(
            "row has its own 'idempotency_key' and the bulk call has an idempotency_key "
            "function; give one or the other"
        )
    key = idempotency_key(row)
    if not isinstance(key, str):
        raise TypeError(f"idempotency_key(row) must return a str, not {type(key).__name__}")
    if not key.strip():
        raise ValueError("idempotency_key(row) returned an empty key")
    return key


def bad_row_error(index: int, spec: RowSpec, cause: Exception) -> ChimeKitError:
    """The ``BulkResult.error`` of a row that is not valid input (``cause`` says why)."""
    error = ChimeKitError(f"row {index} is not a valid {spec.method} call: {cause}")
    error.__cause__ = cause
    return error


@attrs.define
class ConcurrencyLimit:
    """AIMD control of how many calls of a batch are in flight, and the batch-wide pause.

    The engine asks ``wait_time`` before each call and calls ``start`` when it is 0, then
    exactly one of ``succeeded``, ``rate_limited`` or ``finished`` when the call ends.
    All times are ``time.monotonic()`` seconds passed in, so the decisions are pure.

    Attributes:
        ceiling: The most calls in flight (the bulk call's ``concurrency``); also the start.
        floor: The fewest calls the limit goes down to.
        decrease: The factor a 429 multiplies the limit by.
    """

    ceiling: int
    floor: int = 1
    decrease: float = 0.5
    limit: float = attrs.field(init=False)
    in_flight: int = attrs.field(init=False, default=0)
    paused_until: float = attrs.field(init=False, default=0.0)
    round: int = attrs.field(init=False, default=0)
    """Bumped at each decrease: a 429 of a call started before it does not decrease again."""

    def __attrs_post_init__(self) -> None:
        self.limit = float(self.ceiling)

    @property
    def concurrency(self) -> int:
        """The calls allowed in flight now."""
        return max(self.floor, int(self.limit))

    def wait_time(self, now: float) -> float | None:
        """Seconds until a call may start: 0 now, ``None`` until a running call ends."""
        if now < self.paused_until:
            return self.paused_until - now
        if self.in_flight >= self.concurrency:
            return None
        return 0.0

    def start(self) -> int:
        """Count a call in flight; return the round it started in (for ``rate_limited``)."""
        self.in_flight += 1
        return self.round

    def succeeded(self, started_round: int) -> None:
        """A call started in ``started_round`` succeeded: the limit grows by ``1/limit``.

        So one more call in flight per round of ``limit`` successes. Calls started before
        the last decrease do not count: they say nothing about the lowered limit.
        """
        self.in_flight -= 1
        if started_round == self.round:
            self.limit = min(float(self.ceiling), self.limit + 1.0 / self.limit)

    def finished(self) -> None:
        """A call ended in another failure: the limit does not move."""
        self.in_flight -= 1

    def rate_limited(self, started_round: int, now: float, pause: float) -> None:
        """A call started in ``started_round`` got a 429 asking for ``pause`` seconds.

        Pauses every call of the batch until ``now + pause``, and decreases the limit
        once per round: the calls that were in flight together saw the same overload.
        """
        self.in_flight -= 1
        self.paused_until = max(self.paused_until, now + pause)
        if started_round == self.round:
            self.limit = max(float(self.floor), self.limit * self.decrease)
            self.round += 1


@attrs.frozen
class Next:
    """What the engine does with a row after a failed call.

    Attributes:
        action: ``"pause"``: pause the whole batch for ``seconds`` (a 429), then try the
            row again; ``"retry"``: this row alone waits ``seconds`` and tries again;
            ``"fail"``: the row's result is the error.
        seconds: How long to wait.
    """

    action: Literal["pause", "retry", "fail"]
    seconds: float = 0.0


_FAIL = Next("fail")


@attrs.define
class RowAttempts:
    """Decides, for one row, what follows a failed call.

    A 429 pauses the batch for its ``Retry-After`` (or the policy's backoff when it has
    none) and does not use up the row's retries, up to ``MAX_RATE_LIMITED_ATTEMPTS``
    429s; a ``Retry-After`` beyond the policy's ``max_retry_after`` fails the row. Other
    failures the policy finds retryable are retried by the row alone, with the policy's
    backoff, ``max_retries`` times.

    Attributes:
        policy: The client's retry policy.
        max_retries: The client's retries for failures other than 429.
    """

    policy: RetryPolicy
    max_retries: int
    retries: int = 0
    rate_limited: int = 0

    def after(self, exc: ChimeKitError) -> Next:
        """What to do after the call failed with ``exc``."""
        if isinstance(exc, APIStatusError) and exc.status_code == 429:
            if self.rate_limited + 1 >= MAX_RATE_LIMITED_ATTEMPTS:
                return _FAIL
            asked = retry_after_seconds(exc.response_headers)
            if asked is not None and asked > self.policy.max_retry_after:
                return _FAIL
            if asked is None:
                asked = self.policy.wait_before(self.rate_limited, None)
            self.rate_limited += 1
            return Next("pause", asked)
        if self.retries >= self.max_retries or not self.policy.is_retryable(exc):
            return _FAIL
        wait = self.policy.wait_before(self.retries, exc)
        self.retries += 1
        return Next("retry", wait)
