"""Requests the server refuses before it has read them: answered cleanly, no socket left open."""

from __future__ import annotations

import asyncio
import gc
import warnings

import pytest

from chimekit_async import APIStatusError, AsyncChimeKit
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

OVER_1_MIB = "x" * 1_100_000  # the emulator, like the API, refuses bodies over 1 MiB with 413
LARGE_BODY = "x" * 32_000_000  # the server answers 413 after reading 1 MiB of 32 MB


async def test_async_request_body_over_1_mib_gets_the_servers_answer(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """Async: a body over 1 MiB is sent without aiohttp's ResourceWarning; the 413 comes back."""
    async with AsyncChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, max_retries=0
    ) as client:
        with pytest.raises(APIStatusError) as caught:  # filterwarnings=error: no warning either
            await client.audience.identify("u", display_name=OVER_1_MIB)
    assert caught.value.status_code == 413


def test_sync_request_body_over_1_mib_gets_the_servers_answer(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """Sync: a body over 1 MiB is sent; the 413 comes back."""
    with (
        ChimeKit(
            chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, max_retries=0
        ) as client,
        pytest.raises(APIStatusError) as caught,
    ):
        client.audience.identify("u", display_name=OVER_1_MIB)
    assert caught.value.status_code == 413


def _unclosed(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "unclosed" in str(w.message)]


def test_async_request_answered_before_it_was_sent_leaves_no_socket_open(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """Async: when the server answers mid-request, the half-written socket is closed with the loop."""

    async def run() -> BaseException | None:
        async with AsyncChimeKit(
            chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, max_retries=0
        ) as client:
            try:
                await client.audience.identify("u", display_name=LARGE_BODY)
            except APIStatusError as exc:
                return exc
        return None

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = asyncio.run(run())
        gc.collect()
    assert isinstance(error, APIStatusError)
    assert error.status_code == 413
    assert _unclosed(caught) == []


def test_sync_request_answered_before_it_was_sent_leaves_no_socket_open(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """Sync: when the server answers mid-request, the half-written socket is closed."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with (
            ChimeKit(
                chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, max_retries=0
            ) as client,
            pytest.raises(APIStatusError) as error,
        ):
            client.audience.identify("u", display_name=LARGE_BODY)
        gc.collect()
    assert error.value.status_code == 413
    assert _unclosed(caught) == []
