# GENERATED from tests/async_/test_retries.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Retries: which failures, how long, and never a duplicate."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support import header, sdk_requests

from chimekit_emulator import EmulatorHandle
from chimekit_sync import (
    APIConnectionError,
    BadRequestError,
    ChannelContent,
    ChimeKit,
    InAppContent,
    InternalServerError,
)

MEMBER_PATH = "^/audience/members/user_1$"
SEND_PATH = "^/messages/send$"
CONTENT = ChannelContent(in_app=InAppContent(title="hi"))


def _calls(chimekit_emulator: EmulatorHandle, fragment: str) -> list[dict[str, object]]:
    return [e for e in sdk_requests(chimekit_emulator.journal()) if fragment in str(e["path"])]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retryable_statuses_are_retried(
    chimekit: ChimeKit,
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
    status: int,
) -> None:
    """408, 429 and 5xx are retried; the call then succeeds."""
    chimekit.audience.identify("user_1")
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=status, times=2)
    assert chimekit.audience.get("user_1") is not None
    assert len(_calls(chimekit_emulator, "/members/user_1")) == 3
    assert len(retry_waits) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
def test_other_4xx_are_never_retried(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, status: int
) -> None:
    """A 4xx other than 408/429 fails on the first try."""
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=status)
    with pytest.raises(Exception) as caught:
        chimekit.audience.get("user_1")
    assert getattr(caught.value, "status_code", None) == status
    assert len(_calls(chimekit_emulator, "/members/user_1")) == 1


def test_backoff_schedule_and_retry_after(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
) -> None:
    """Backoff is min(0.5 * 2**n, 8) * jitter in [0.75, 1]; Retry-After can only lengthen it."""
    client = make_client(max_retries=5)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=503, times=5)
    with pytest.raises(InternalServerError):
        client.audience.get("user_1", max_retries=4)
    assert len(_calls(chimekit_emulator, "/members/user_1")) == 5
    # tenacity computes the upcoming wait before its stop check, so the last one is unused.
    assert len(retry_waits) == 5
    for number, wait in enumerate(retry_waits):
        base = min(0.5 * 2**number, 8.0)
        assert 0.75 * base <= wait <= base
    retry_waits.clear()
    chimekit_emulator.clear_faults()
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=429, headers={"Retry-After": "3"}, times=1)
    chimekit_emulator.add_fault(
        path=MEMBER_PATH, status=503, headers={"retry-after-ms": "250"}, times=1
    )
    assert client.audience.get("user_1") is None
    # A hint never shortens the computed backoff: max(backoff, hint).
    assert len(retry_waits) == 2
    assert retry_waits[0] == 3.0
    assert 0.75 * 1.0 <= retry_waits[1] <= 1.0


def test_max_retries_per_client_and_per_call(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
) -> None:
    """max_retries=0 makes one attempt; the per-call value overrides the client's."""
    client = make_client(max_retries=0)
    chimekit_emulator.add_fault(path=MEMBER_PATH, status=500)
    with pytest.raises(InternalServerError):
        client.audience.get("user_1")
    assert len(_calls(chimekit_emulator, "/members/user_1")) == 1
    with pytest.raises(InternalServerError):
        client.audience.get("user_1", max_retries=3)
    assert len(_calls(chimekit_emulator, "/members/user_1")) == 5


@pytest.mark.parametrize("fault", ["reset", "truncate"])
def test_connection_faults_are_retried(
    chimekit: ChimeKit,
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
    fault: str,
) -> None:
    """A reset connection or a body shorter than its Content-Length is retried."""
    chimekit.audience.identify("user_1")
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault=fault, times=1)
    member = chimekit.audience.get("user_1")
    assert member is not None
    assert len(retry_waits) == 1


@pytest.mark.parametrize("fault", ["reset", "truncate"])
def test_connection_faults_raise_api_connection_error_when_retries_run_out(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
    fault: str,
) -> None:
    """When every attempt is cut off the caller gets APIConnectionError, not a library error."""
    client = make_client(max_retries=1)
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault=fault)
    with pytest.raises(APIConnectionError):
        client.audience.get("user_1")


def test_one_idempotency_key_across_retries_and_no_duplicate(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """commit_then_drop: the retry reuses the key, the emulator replays, one message exists."""
    chimekit.audience.identify("user_1")
    chimekit_emulator.add_fault(path=SEND_PATH, fault="commit_then_drop", times=1)
    chimekit_emulator.add_fault(path=SEND_PATH, status=503, times=1)
    sent = chimekit.messages.send("user_1", content=CONTENT)
    sends = _calls(chimekit_emulator, "/messages/send")
    assert len(sends) == 3
    keys = {header(entry, "Idempotency-Key") for entry in sends}
    assert len(keys) == 1
    assert None not in keys
    outbox = chimekit_emulator.outbox()
    assert [entry["messageId"] for entry in outbox] == [sent.message.id]


def test_each_call_gets_its_own_idempotency_key(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Two logical sends carry different keys; an explicit key is sent as given."""
    chimekit.audience.identify("user_1")
    chimekit.messages.send("user_1", content=CONTENT)
    chimekit.messages.send("user_1", content=CONTENT, idempotency_key="order-42")
    again = chimekit.messages.send("user_1", content=CONTENT, idempotency_key="order-42")
    sends = _calls(chimekit_emulator, "/messages/send")
    keys = [header(entry, "Idempotency-Key") for entry in sends]
    assert keys[0] != keys[1]
    assert keys[1:] == ["order-42", "order-42"]
    assert len(chimekit_emulator.outbox()) == 2
    assert again.message.id == chimekit_emulator.outbox()[1]["messageId"]


def test_validation_errors_are_not_retried(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A 400 from the API is raised once, without retries."""
    with pytest.raises(BadRequestError):
        chimekit.request("POST", "/messages/send", json={"externalUserId": "x"})
    assert len(_calls(chimekit_emulator, "/messages/send")) == 1
