# GENERATED from tests/async_/test_production.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""The production surface: raw responses, with_options, RetryPolicy, guidance when off."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from support import header, sdk_requests

from chimekit_emulator import EmulatorHandle
from chimekit_sync import (
    APIResponse,
    ChannelContent,
    ChimeKit,
    InAppContent,
    InternalServerError,
    Member,
    NotFoundError,
    RetryPolicy,
    SentMessage,
)

CONTENT = ChannelContent(in_app=InAppContent(title="hi"))
MEMBER_PATH = "^/audience/members/user_1$"


def test_raw_response_of_a_send(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """with_raw_response.send: status, headers, request id, retries, key, json() and parse()."""
    chimekit.audience.identify("user_1")
    chimekit_emulator.add_fault(path="^/messages/send$", status=503, times=1)
    raw = chimekit.messages.with_raw_response.send(
        "user_1", content=CONTENT, idempotency_key="order-7"
    )
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.retries_taken == 1
    assert raw.idempotency_key == "order-7"
    assert raw.request_id is not None
    assert raw.request_id == raw.headers["x-request-id"] == raw.headers["X-Request-Id"]
    assert isinstance(raw.elapsed, datetime.timedelta)
    assert raw.elapsed > datetime.timedelta(0)
    body = raw.json()
    sent = raw.parse()
    assert isinstance(sent, SentMessage)
    assert sent.message.id == body["message"]["id"]
    assert raw.parse() is sent  # parsed once
    assert [entry["messageId"] for entry in chimekit_emulator.outbox()] == [sent.message.id]


def test_raw_response_of_every_kind_of_method(chimekit: ChimeKit) -> None:
    """GET, PUT, DELETE and a None-returning method all have a raw form that parses alike."""
    identify = chimekit.audience.with_raw_response.identify("user_1")
    assert identify.status_code == 200
    assert identify.idempotency_key is not None
    member = identify.parse()
    assert isinstance(member, Member)
    got = chimekit.audience.with_raw_response.get("user_1")
    assert got.idempotency_key is None
    assert got.parse() == chimekit.audience.get("user_1")
    missing = chimekit.audience.with_raw_response.get("nobody")
    assert missing.parse() is None
    updated = chimekit.audience.with_raw_response.update("user_1", display_name="A")
    parsed = updated.parse()
    assert parsed is not None
    assert parsed.display_name == "A"
    suppression = (
        chimekit.audience.suppressions.with_raw_response.add(
            "user_1", identity={"type": "email", "value": "a@example.com"}
        )
    ).parse()
    listed = chimekit.audience.suppressions.with_raw_response.list("user_1")
    assert [s.id for s in listed.parse()] == [suppression.id]
    removed = chimekit.audience.suppressions.with_raw_response.remove("user_1", suppression.id)
    assert removed.status_code == 200
    assert removed.parse() is None
    deleted = chimekit.audience.with_raw_response.delete("user_1")
    assert deleted.parse() == "user_1"


def test_raw_response_does_not_leak_into_plain_calls(chimekit: ChimeKit) -> None:
    """After a raw call, the plain method returns the model again."""
    chimekit.audience.with_raw_response.identify("user_1")
    member = chimekit.audience.get("user_1")
    assert isinstance(member, Member)


def test_with_options_shares_the_pool_and_closes_nothing_of_the_original(
    make_client: Callable[..., ChimeKit], chimekit_emulator: EmulatorHandle
) -> None:
    """A copy with other options sends with them; closing it leaves the original working."""
    client = make_client(default_headers={"X-Team": "growth"})
    client.audience.identify("user_1")
    copy = client.with_options(timeout=5.0, max_retries=0, default_headers={"x-team": "ops"})
    assert type(copy) is type(client)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, times=1)
    with pytest.raises(InternalServerError):
        copy.audience.get("user_1")  # max_retries=0: no retry
    assert (client.audience.get("user_1")) is not None  # the original still retries
    entries = [e for e in sdk_requests(chimekit_emulator.journal()) if e["method"] == "GET"]
    assert [header(e, "X-Team") for e in entries] == ["ops", "growth"]
    assert copy._shared is client._shared
    copy.close()
    assert (client.audience.get("user_1")) is not None
    with pytest.raises(Exception, match="This client was closed"):
        copy.audience.get("user_1")


def test_retry_policy_on_the_constructor_and_with_options(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
) -> None:
    """retry=RetryPolicy(...) sets attempts, backoff and retried statuses; max_retries wins."""
    client = make_client(
        retry=RetryPolicy(max_retries=3, initial=0.1, maximum=0.1, retry_statuses={500})
    )
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, times=3)
    assert client.audience.get("user_1") is None
    assert len(retry_waits) == 3
    assert all(0.075 <= wait <= 0.1 for wait in retry_waits)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=503, times=1)
    with pytest.raises(InternalServerError):
        client.audience.get("user_1")  # 503 is not in retry_statuses
    fewer = client.with_options(max_retries=1)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, times=2)
    with pytest.raises(InternalServerError):
        fewer.audience.get("user_1")
    explicit = make_client(retry=RetryPolicy(max_retries=5), max_retries=0)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500, times=1)
    with pytest.raises(InternalServerError):
        explicit.audience.get("user_1")


def test_bad_retry_options_fail_before_any_request(
    make_client: Callable[..., ChimeKit],
) -> None:
    """A wrong retry= or RetryPolicy field is a TypeError/ValueError naming it."""
    with pytest.raises(TypeError, match=r"^retry must be a RetryPolicy, not dict$"):
        make_client(retry={"max_retries": 3})
    with pytest.raises(ValueError, match=r"^RetryPolicy\.max_retries must be >= 0, got -1$"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match=r"^RetryPolicy\.jitter must have low <= high"):
        RetryPolicy(jitter=(1.0, 0.5))
    with pytest.raises(ValueError, match=r"^RetryPolicy\.retry_statuses holds 42"):
        RetryPolicy(retry_statuses={42})
    client = make_client()
    with pytest.raises(ValueError, match=r"^timeout must be a positive"):
        client.with_options(timeout=-1)


def test_404_from_a_base_url_without_sdk_v1_hints_at_it(
    make_client: Callable[..., ChimeKit], chimekit_emulator: EmulatorHandle
) -> None:
    """base_url missing /sdk/v1: the NotFoundError carries a note naming the fix."""
    root = chimekit_emulator.base_url.removesuffix("/sdk/v1")
    client = make_client(base_url=root)
    with pytest.raises(NotFoundError) as caught:
        client.audience.get("user_1")
    assert caught.value.__notes__ == [
        f"base_url is {root!r}; the API lives under /sdk/v1, e.g. "
        "'https://api.chimekit.com/sdk/v1'. Is base_url missing its /sdk/v1?"
    ]
    good = make_client()
    with pytest.raises(NotFoundError) as plain:
        good.messages.get("msg_missing")
    assert getattr(plain.value, "__notes__", []) == []
