"""Fixtures for the flavour tests; generated into tests/sync/conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from chimekit_async import AsyncChimeKit
from chimekit_emulator import EmulatorHandle


@pytest.fixture
async def make_async_client(
    chimekit_emulator: EmulatorHandle,
) -> AsyncIterator[Callable[..., AsyncChimeKit]]:
    """Build clients bound to the emulator with custom options; all closed after the test."""
    clients: list[AsyncChimeKit] = []

    def make(**options: Any) -> AsyncChimeKit:
        options.setdefault("base_url", chimekit_emulator.base_url)
        client = AsyncChimeKit(options.pop("secret_key", chimekit_emulator.secret_key), **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()
