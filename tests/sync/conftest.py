# GENERATED from tests/async_/conftest.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Fixtures for the flavour tests; generated into tests/sync/conftest.py."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit


@pytest.fixture
def make_client(
    chimekit_emulator: EmulatorHandle,
) -> Iterator[Callable[..., ChimeKit]]:
    """Build clients bound to the emulator with custom options; all closed after the test."""
    clients: list[ChimeKit] = []

    def make(**options: Any) -> ChimeKit:
        options.setdefault("base_url", chimekit_emulator.base_url)
        client = ChimeKit(options.pop("secret_key", chimekit_emulator.secret_key), **options)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()
