# GENERATED from tests/async_/test_timeouts.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Timeouts: a call never hangs past its timeout."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import APITimeoutError, ChimeKit

MEMBER_PATH = "^/audience/members/user_1$"


@pytest.mark.parametrize(
    ("fault", "extra"), [("hang", {}), ("drip", {"interval": 0.3, "chunk": 4})]
)
def test_server_that_does_not_answer_in_time(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    fault: str,
    extra: dict[str, float],
) -> None:
    """A hung server or a slow-drip body ends in APITimeoutError within timeout + 1 s."""
    client = make_client(timeout=0.5, max_retries=0)
    client.audience.identify("user_1", display_name="x" * 200)
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault=fault, **extra)
    started = time.monotonic()
    with pytest.raises(APITimeoutError):
        client.audience.get("user_1")
    assert time.monotonic() - started < 0.5 + 1.0


def test_per_call_timeout_and_retry_after_timeout(
    make_client: Callable[..., ChimeKit],
    chimekit_emulator: EmulatorHandle,
    retry_waits: list[float],
) -> None:
    """The per-call timeout overrides the client's, and a timed-out attempt is retried."""
    client = make_client(timeout=30.0)
    client.audience.identify("user_1")
    chimekit_emulator.add_fault(path=MEMBER_PATH, fault="hang", times=1)
    started = time.monotonic()
    member = client.audience.get("user_1", timeout=0.3)
    assert member is not None
    assert time.monotonic() - started < 0.3 + 1.0
    assert len(retry_waits) == 1
