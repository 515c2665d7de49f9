"""The bulk engine's flavour-free decisions: row checking, AIMD concurrency, what follows a failure."""

from __future__ import annotations

import attrs
import pytest

from chimekit_core import BulkResult, ChimeKitError, NotFoundError, RateLimitError, RetryPolicy
from chimekit_core._bulk import (
    DEFAULT_CONCURRENCY,
    IDENTIFY_ROW,
    MAX_RATE_LIMITED_ATTEMPTS,
    RUN_ROW,
    SEND_ROW,
    ConcurrencyLimit,
    Next,
    RowAttempts,
    bad_row_error,
    check_bulk_arguments,
    row_key,
)
from chimekit_core._exceptions import APIConnectionError, InternalServerError

NO_JITTER = RetryPolicy(max_retries=2, jitter=(1.0, 1.0))


def rate_limited(retry_after: str | None = None) -> RateLimitError:
    headers = {} if retry_after is None else {"retry-after": retry_after}
    return RateLimitError("slow down", response_headers=headers)


# -- BulkResult ---------------------------------------------------------------------------------


def test_bulk_result_ok_is_whether_there_is_an_error() -> None:
    """ok is True exactly when error is None."""
    assert BulkResult(0, {"a": 1}, value="v").ok is True
    assert BulkResult(1, {"a": 1}, error=ChimeKitError("x")).ok is False


def test_bulk_result_is_frozen() -> None:
    """A result cannot be changed after the fact."""
    result = BulkResult(0, {}, value=1)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        result.index = 2  # type: ignore[misc]


# -- row checking --------------------------------------------------------------------------------


def test_row_spec_returns_the_rows_arguments_as_a_new_dict() -> None:
    """A valid row becomes the single call's keyword arguments (a copy, not the row)."""
    row = {"external_user_id": "u1", "content": {"in_app": {"title": "t"}}, "category_id": "c"}
    arguments = SEND_ROW.arguments(row)
    assert arguments == row
    assert arguments is not row


def test_row_spec_names_a_missing_required_key() -> None:
    """A row without a required key is a ValueError naming the key and the call."""
    with pytest.raises(
        ValueError, match=r"^row is missing key 'key' \(required by workflows.run\)$"
    ):
        RUN_ROW.arguments({"external_user_id": "u1"})


def test_row_spec_names_unknown_keys_and_lists_the_allowed_ones() -> None:
    """A key the single call does not take is a ValueError listing the allowed keys."""
    with pytest.raises(ValueError) as caught:
        IDENTIFY_ROW.arguments({"external_user_id": "u1", "externalUserId": "u1", "x": 1})
    assert str(caught.value) == (
        "row has unknown keys 'externalUserId', 'x' for audience.identify; allowed: attributes, "
        "display_name, external_user_id, extra_headers, idempotency_key, identities, timeout"
    )


def test_row_spec_rejects_max_retries_with_a_reason() -> None:
    """max_retries is not a row key: the bulk call decides retries, and says so."""
    with pytest.raises(ValueError, match=r"retries are the bulk call's to decide$"):
        SEND_ROW.arguments({"external_user_id": "u", "content": {}, "max_retries": 3})


@pytest.mark.parametrize("row", [None, "u1", ["external_user_id"], 7])
def test_row_spec_rejects_a_row_that_is_not_a_mapping(row: object) -> None:
    """A row must be a mapping; anything else is a TypeError naming its type."""
    with pytest.raises(TypeError, match=r"^each row must be a mapping of messages.send arguments"):
        SEND_ROW.arguments(row)


def test_row_spec_rejects_non_string_keys() -> None:
    """Row keys are argument names, so strings."""
    with pytest.raises(TypeError, match=r"^row keys must be strings"):
        IDENTIFY_ROW.arguments({"external_user_id": "u", 1: "x"})


def test_row_key_prefers_the_function_and_pops_the_rows_own_key() -> None:
    """The key comes from the function of the row, or else from the row's own key."""
    arguments = {"external_user_id": "u1", "idempotency_key": "own"}
    assert row_key(arguments, {}, None) == "own"
    assert "idempotency_key" not in arguments
    arguments = {"external_user_id": "u1"}
    assert row_key(arguments, {"order": 5}, lambda row: f"order-{row['order']}") == "order-5"
    assert row_key({"external_user_id": "u1"}, {}, None) is None


def test_row_key_refuses_two_keys_and_bad_function_results() -> None:
    """Both a row key and a function, a non-string or an empty key, are errors of that row."""
    with pytest.raises(ValueError, match=r"give one or the other$"):
        row_key({"idempotency_key": "own"}, {}, lambda row: "k")
    with pytest.raises(TypeError, match=r"^idempotency_key\(row\) must return a str, not int$"):
        row_key({}, {}, lambda row: 5)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match=r"^idempotency_key\(row\) returned an empty key$"):
        row_key({}, {}, lambda row: " ")


def test_bad_row_error_is_a_chimekit_error_caused_by_the_argument_error() -> None:
    """An invalid row's error is a plain ChimeKitError whose cause is the ValueError."""
    cause = ValueError("row is missing key 'content' (required by messages.send)")
    error = bad_row_error(3, SEND_ROW, cause)
    assert type(error) is ChimeKitError
    assert error.__cause__ is cause
    assert str(error) == (
        "row 3 is not a valid messages.send call: "
        "row is missing key 'content' (required by messages.send)"
    )


@pytest.mark.parametrize(
    ("rows", "concurrency", "key", "error", "message"),
    [
        (None, 8, None, TypeError, "rows must be an iterable or async iterable of mappings, not NoneType"),
        ("abc", 8, None, TypeError, "rows must be an iterable or async iterable of mappings, not str"),
        ({"external_user_id": "u"}, 8, None, TypeError, "rows must be an iterable or async iterable of mappings, not dict"),
        ([], "8", None, TypeError, "concurrency must be an int, not str"),
        ([], True, None, TypeError, "concurrency must be an int, not bool"),
        ([], 0, None, ValueError, "concurrency must be at least 1, got 0"),
        ([], 8, "order-1", TypeError, "idempotency_key must be a function of the row returning a string, not str"),
    ],
)  # fmt: skip
def test_check_bulk_arguments_names_the_bad_argument(
    rows: object, concurrency: object, key: object, error: type[Exception], message: str
) -> None:
    """Each bad argument of the bulk call itself is a TypeError/ValueError naming it."""
    with pytest.raises(error) as caught:
        check_bulk_arguments(rows, concurrency, key, async_rows=True)
    assert str(caught.value) == message


def test_check_bulk_arguments_sync_flavour_refuses_async_iterables() -> None:
    """Without async rows, an object with only __aiter__ is not acceptable input."""

    class OnlyAsync:
        def __aiter__(self) -> OnlyAsync:
            return self

    with pytest.raises(TypeError, match=r"^rows must be an iterable of mappings, not OnlyAsync$"):
        check_bulk_arguments(OnlyAsync(), 8, None, async_rows=False)
    assert check_bulk_arguments(OnlyAsync(), 4, None, async_rows=True) == 4


def test_default_concurrency_fits_the_sync_connection_pool() -> None:
    """The default, 32 calls in flight, is the sync client's connection pool per host."""
    from chimekit_sync import _transport

    assert DEFAULT_CONCURRENCY == 32 == _transport._POOL_SIZE


# -- the AIMD controller ------------------------------------------------------------------------


def fill(limit: ConcurrencyLimit, now: float = 0.0) -> list[int]:
    """Start calls until the limit admits no more; the rounds they started in."""
    rounds = []
    while limit.wait_time(now) == 0.0:
        rounds.append(limit.start())
    return rounds


def test_limit_starts_at_the_ceiling_and_admits_that_many() -> None:
    """A fresh batch runs `concurrency` calls at once, and the next waits for one to end."""
    limit = ConcurrencyLimit(8)
    assert len(fill(limit)) == 8
    assert limit.wait_time(0.0) is None
    limit.succeeded(0)
    assert limit.wait_time(0.0) == 0.0


def test_a_429_halves_the_limit_once_for_calls_in_flight_together() -> None:
    """Eight calls of one round rejected together halve the limit once, not eight times."""
    limit = ConcurrencyLimit(8)
    rounds = fill(limit)
    for started in rounds:
        limit.rate_limited(started, now=10.0, pause=1.0)
    assert limit.concurrency == 4
    assert limit.round == 1
    assert limit.in_flight == 0


def test_each_new_round_of_429s_halves_again_down_to_the_floor() -> None:
    """Repeated overload halves per round (8, 4, 2, 1) and never goes below the floor."""
    limit = ConcurrencyLimit(8)
    seen = []
    for step in range(5):
        started = limit.start()
        limit.rate_limited(started, now=float(step), pause=0.0)
        seen.append(limit.concurrency)
    assert seen == [4, 2, 1, 1, 1]


def test_a_429_pauses_every_worker_for_the_retry_after() -> None:
    """After a 429 at t=10 asking 2 s, nobody starts before t=12, whatever the free slots."""
    limit = ConcurrencyLimit(4)
    started = limit.start()
    limit.rate_limited(started, now=10.0, pause=2.0)
    assert limit.wait_time(10.0) == 2.0
    assert limit.wait_time(11.5) == 0.5
    assert limit.wait_time(12.0) == 0.0


def test_a_later_429_never_shortens_the_pause() -> None:
    """The pause ends at the latest end any 429 asked for."""
    limit = ConcurrencyLimit(4)
    first, second = limit.start(), limit.start()
    limit.rate_limited(first, now=0.0, pause=5.0)
    limit.rate_limited(second, now=1.0, pause=1.0)
    assert limit.paused_until == 5.0


def test_successes_grow_the_limit_by_one_per_round_up_to_the_ceiling() -> None:
    """Additive increase: from 2, two successes make 2.5 then 2.9 (+1/limit each), so 3 after ~2."""
    limit = ConcurrencyLimit(8)
    limit.rate_limited(limit.start(), now=0.0, pause=0.0)
    limit.rate_limited(limit.start(), now=0.0, pause=0.0)
    assert limit.concurrency == 2
    grown = []
    for _ in range(40):
        limit.succeeded(limit.start())
        grown.append(limit.concurrency)
    assert grown[:6] == [2, 2, 3, 3, 3, 4]
    assert grown[-1] == 8
    assert limit.limit == 8.0


def test_successes_of_calls_started_before_a_decrease_do_not_grow_it() -> None:
    """Calls that were in flight when the limit halved cannot undo the halving as they finish."""
    limit = ConcurrencyLimit(8)
    rounds = fill(limit)
    limit.rate_limited(rounds[0], now=0.0, pause=0.0)
    for started in rounds[1:]:
        limit.succeeded(started)
    assert (limit.limit, limit.in_flight) == (4.0, 0)


def test_other_failures_leave_the_limit_alone() -> None:
    """A call that fails with, say, a 500 frees its slot without moving the limit."""
    limit = ConcurrencyLimit(3)
    limit.start()
    limit.finished()
    assert (limit.concurrency, limit.in_flight, limit.round) == (3, 0, 0)


# -- what follows a failure ---------------------------------------------------------------------


def test_a_429_pauses_the_batch_for_its_retry_after() -> None:
    """A 429 with Retry-After: 3 asks the batch to pause 3 s, and keeps the row's retries."""
    attempts = RowAttempts(NO_JITTER, max_retries=2)
    assert attempts.after(rate_limited("3")) == Next("pause", 3.0)
    assert attempts.retries == 0


def test_a_429_without_retry_after_pauses_for_the_policy_backoff() -> None:
    """Without Retry-After the pause is the policy's exponential backoff: 0.5, 1, 2 s."""
    attempts = RowAttempts(NO_JITTER, max_retries=0)
    assert [attempts.after(rate_limited()).seconds for _ in range(3)] == [0.5, 1.0, 2.0]


def test_a_429_asking_longer_than_max_retry_after_fails_the_row() -> None:
    """A Retry-After above the policy's max_retry_after is not waited for."""
    attempts = RowAttempts(NO_JITTER, max_retries=2)
    assert attempts.after(rate_limited("61")) == Next("fail")


def test_a_row_gives_up_after_max_rate_limited_attempts() -> None:
    """The MAX_RATE_LIMITED_ATTEMPTS-th 429 of a row fails it."""
    attempts = RowAttempts(NO_JITTER, max_retries=0)
    actions = [attempts.after(rate_limited("0")).action for _ in range(MAX_RATE_LIMITED_ATTEMPTS)]
    assert actions == ["pause"] * (MAX_RATE_LIMITED_ATTEMPTS - 1) + ["fail"]


def test_other_retryable_failures_retry_the_row_with_the_clients_budget() -> None:
    """A 500 or a reset is retried by the row alone, max_retries times, with the backoff."""
    attempts = RowAttempts(NO_JITTER, max_retries=2)
    assert attempts.after(InternalServerError("boom", status_code=500)) == Next("retry", 0.5)
    assert attempts.after(APIConnectionError("reset")) == Next("retry", 1.0)
    assert attempts.after(APIConnectionError("reset")) == Next("fail")


def test_a_non_retryable_failure_fails_the_row_at_once() -> None:
    """A 404 is the row's result, without a retry."""
    attempts = RowAttempts(NO_JITTER, max_retries=2)
    assert attempts.after(NotFoundError("no member", status_code=404)) == Next("fail")
