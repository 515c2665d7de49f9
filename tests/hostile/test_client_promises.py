"""Client promises held against independent servers: headers, retries, deadlines, context.

Each test stands up its own ``FunctionServer`` (not the emulator) and checks the exact
outcome in both flavours: what went on the wire, how many requests, how long it took.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import bodies
import pytest

from chimekit_core import APITimeoutError, AuthenticationError, InternalServerError, RetryPolicy

from .flavours import flavours, run
from .servers import FunctionServer, Handler, Reply, Seen

Start = Callable[[Handler], FunctionServer]

SENT = bodies.SEND_RESPONSE
CONTENT = {"in_app": {"title": "hi"}}
MEMBER = {"member": bodies.MEMBER}


def _run_body(status: str, finished: bool) -> dict[str, Any]:
    finished_at = "2025-01-01T00:00:01.000Z" if finished else None
    return {"run": {**bodies.RUN, "status": status, "finishedAt": finished_at}}


def _failing_then(failures: int, status: int, body: Any) -> Handler:
    """Answer ``failures`` times with a 503, then ``status`` with ``body``."""
    count = 0
    lock = threading.Lock()

    def handler(seen: Seen) -> Reply:
        nonlocal count
        with lock:
            count += 1
            number = count
        if number <= failures:
            return Reply(503, {"error": "busy"})
        return Reply(status, body)

    return handler


@flavours
def test_callers_idempotency_key_in_any_case_wins_and_is_reused(
    flavour: str, function_server: Start
) -> None:
    """extra_headers={"idempotency-key": ...}: one such header per request, the caller's, on
    every retry."""
    server = function_server(_failing_then(2, 200, SENT))
    run(
        flavour,
        server.base_url,
        lambda ck: ck.messages.send(
            "user_1", content=CONTENT, extra_headers={"idempotency-key": "order-42"}
        ),
        retry=RetryPolicy(initial=0.001, maximum=0.001),
    )
    assert len(server.requests) == 3
    assert [seen.header_values("Idempotency-Key") for seen in server.requests] == [["order-42"]] * 3


@flavours
def test_default_and_extra_headers_replace_ours_case_insensitively(
    flavour: str, function_server: Start
) -> None:
    """user-agent/authorization/accept given in any case go on the wire once, the caller's."""
    server = function_server(lambda seen: Reply(200, MEMBER))
    run(
        flavour,
        server.base_url,
        lambda ck: ck.audience.get("user_1", extra_headers={"ACCEPT": "application/json; v=2"}),
        default_headers={"user-agent": "mine/1.0", "AUTHORIZATION": "Bearer other-token"},
    )
    (seen,) = server.requests
    assert seen.header_values("User-Agent") == ["mine/1.0"]
    assert seen.header_values("Authorization") == ["Bearer other-token"]
    assert seen.header_values("Accept") == ["application/json; v=2"]
    names = [name.lower() for name, _ in seen.raw_headers]
    assert len(names) == len(set(names)), seen.raw_headers


@flavours
def test_generated_idempotency_key_is_the_only_one(flavour: str, function_server: Start) -> None:
    """Without a caller's key, each POST carries exactly one generated key."""
    server = function_server(lambda seen: Reply(200, SENT))
    run(flavour, server.base_url, lambda ck: ck.messages.send("user_1", content=CONTENT))
    (seen,) = server.requests
    (key,) = seen.header_values("Idempotency-Key")
    assert len(key) == 36


@flavours
def test_token_refresh_adds_one_attempt_not_a_new_budget(
    flavour: str, function_server: Start
) -> None:
    """A 401, then 503s: max_retries=2 makes 1 + 1 (refresh) + 2 attempts = 4, not 5."""
    count = 0

    def handler(seen: Seen) -> Reply:
        nonlocal count
        count += 1
        return Reply(401, {"error": "expired"}) if count == 1 else Reply(503, {"error": "busy"})

    server = function_server(handler)
    tokens = iter(f"token-{n}" for n in range(10))
    with pytest.raises(InternalServerError) as caught:
        run(
            flavour,
            server.base_url,
            lambda ck: ck.audience.get("user_1"),
            secret_key=None,
            token_provider=lambda: next(tokens),
            retry=RetryPolicy(max_retries=2, initial=0.001, maximum=0.001),
        )
    assert caught.value.status_code == 503
    assert len(server.requests) == 4
    auth = [seen.header_values("Authorization") for seen in server.requests]
    assert auth == [["Bearer token-0"], ["Bearer token-1"], ["Bearer token-1"], ["Bearer token-1"]]


@flavours
def test_token_refresh_happens_once_per_call(flavour: str, function_server: Start) -> None:
    """A provider whose tokens keep failing: one refresh, then the 401 is raised (2 requests)."""
    server = function_server(lambda seen: Reply(401, {"error": "expired"}))
    with pytest.raises(AuthenticationError):
        run(
            flavour,
            server.base_url,
            lambda ck: ck.audience.get("user_1"),
            secret_key=None,
            token_provider=lambda: "always-expired",
        )
    assert len(server.requests) == 2


@flavours
@pytest.mark.parametrize(
    "retry_after",
    ["0", format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)],
    ids=["zero", "past-date"],
)
def test_server_hint_never_shortens_the_backoff(
    flavour: str, retry_after: str, function_server: Start
) -> None:
    """Retry-After: 0 or a past HTTP-date: three retries still wait the computed backoff."""
    server = function_server(
        lambda seen: Reply(503, {"error": "busy"}, {"Retry-After": retry_after})
    )
    policy = RetryPolicy(max_retries=3, initial=0.05, jitter=(0.75, 1.0))
    started = time.monotonic()
    with pytest.raises(InternalServerError):
        run(flavour, server.base_url, lambda ck: ck.audience.get("user_1"), retry=policy)
    elapsed = time.monotonic() - started
    assert len(server.requests) == 4
    # The shortest jittered backoffs: 0.75 * (0.05 + 0.1 + 0.2).
    assert elapsed >= 0.75 * (0.05 + 0.1 + 0.2)


@flavours
def test_wait_for_run_deadline_covers_polls_retries_and_backoff(
    flavour: str, function_server: Start
) -> None:
    """Every poll times out (timeout=0.001): the documented error at the deadline, not later."""

    def slow(seen: Seen) -> Reply:
        time.sleep(0.2)
        return Reply(200, _run_body("running", finished=False))

    server = function_server(slow)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as caught:
        run(
            flavour,
            server.base_url,
            lambda ck: ck.workflows.wait_for_run("wr_1", timeout=0.3, poll_interval=0.05),
            timeout=0.001,
        )
    elapsed = time.monotonic() - started
    assert str(caught.value) == "workflow run 'wr_1' had not finished after 0.3 s (status None)"
    assert 0.3 <= elapsed < 0.3 + 0.2
    assert type(caught.value) is APITimeoutError


@flavours
def test_wait_for_run_reports_the_last_status_within_the_deadline(
    flavour: str, function_server: Start
) -> None:
    """Slow polls of a running run: the error names its status and comes within one poll."""

    def slow(seen: Seen) -> Reply:
        time.sleep(0.1)
        return Reply(200, _run_body("running", finished=False))

    server = function_server(slow)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as caught:
        run(
            flavour,
            server.base_url,
            lambda ck: ck.workflows.wait_for_run("wr_1", timeout=0.35, poll_interval=0.05),
        )
    elapsed = time.monotonic() - started
    assert str(caught.value) == (
        "workflow run 'wr_1' had not finished after 0.35 s (status 'running')"
    )
    assert 0.35 <= elapsed < 0.35 + 0.1 + 0.1
    assert len(server.requests) >= 2


REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def _history_page(offset: int, limit: int, total: int) -> dict[str, Any]:
    items = [
        {**bodies.HISTORY_ITEM, "message": {**bodies.HISTORY_MESSAGE, "id": f"msg_{position}"}}
        for position in range(offset, min(offset + limit, total))
    ]
    return {
        "messages": items,
        "pagination": {"totalCount": total, "limit": limit, "offset": offset},
    }


@flavours
def test_requests_made_on_the_callers_behalf_see_its_context(
    flavour: str, function_server: Start
) -> None:
    """Prefetched pages (a worker thread in sync) call token_provider in the caller's context."""

    def handler(seen: Seen) -> Reply:
        return Reply(200, _history_page(int(seen.query["offset"]), int(seen.query["limit"]), 25))

    server = function_server(handler)
    seen_values: list[str | None] = []

    def provider() -> str:
        seen_values.append(REQUEST_ID.get())
        return "token"

    def scenario(ck: Any) -> Any:
        REQUEST_ID.set("req-from-caller")
        paginator = ck.messages.list_for_member("user_1", limit=5).with_prefetch(2)
        if flavour == "sync":
            return [item.message.id for item in paginator]

        async def collect() -> list[str]:
            return [item.message.id async for item in paginator]

        return collect()

    ids = run(flavour, server.base_url, scenario, secret_key=None, token_provider=provider)
    assert ids == [f"msg_{n}" for n in range(25)]
    assert len(seen_values) == len(server.requests) >= 5
    assert set(seen_values) == {"req-from-caller"}
