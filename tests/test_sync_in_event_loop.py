"""The sync client called on a thread that runs an event loop warns once, naming AsyncChimeKit."""

from __future__ import annotations

import warnings

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

MESSAGE = (
    "ChimeKit was called from a thread that runs an asyncio event loop; each call blocks the "
    "loop until the response arrives. Use AsyncChimeKit (from chimekit_async) in async code."
)


async def test_sync_client_in_a_running_loop_warns_once(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """Two blocking calls inside a coroutine: exactly one RuntimeWarning with the advice."""
    with (
        ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as ck,
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        ck.audience.get("user_1")
        ck.audience.get("user_1")
    runtime = [w for w in caught if issubclass(w.category, RuntimeWarning)]
    assert [str(w.message) for w in runtime] == [MESSAGE]
    assert runtime[0].filename == __file__  # points at the caller's line


def test_sync_client_outside_a_loop_does_not_warn(chimekit_emulator: EmulatorHandle) -> None:
    """The ordinary sync use (no loop on this thread) is silent."""
    with (
        ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as ck,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("error")
        assert ck.audience.get("user_1") is None


@pytest.mark.parametrize("calls", [1, 3])
async def test_async_client_never_warns(chimekit_emulator: EmulatorHandle, calls: int) -> None:
    """AsyncChimeKit in a loop is the right tool: no warning."""
    from chimekit_async import AsyncChimeKit

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        async with AsyncChimeKit(
            chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url
        ) as ck:
            for _ in range(calls):
                assert await ck.audience.get("user_1") is None
