"""The pytest plugin (entry point ``chimekit``): an emulator per test session, reset per test.

Fixtures:

- ``chimekit_emulator_server`` (session): an ``EmulatorServer`` on a free port.
- ``chimekit_emulator`` (function): resets that server and returns an ``EmulatorHandle``
  with ``base_url``, ``admin_url``, ``secret_key`` and the admin controls.

Importing this module (which pytest does at start-up for every project that installs chimekit)
imports nothing but pytest: the server and the SDK load only when a fixture is used.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ._control import EmulatorHandle
    from ._server import EmulatorServer


@pytest.fixture(scope="session")
def chimekit_emulator_server() -> Iterator[EmulatorServer]:
    """A ChimeKit emulator for the whole test session, in a background thread."""
    from ._server import EmulatorServer

    with EmulatorServer() as server:
        yield server


@pytest.fixture
def chimekit_emulator(chimekit_emulator_server: EmulatorServer) -> EmulatorHandle:
    """The session's emulator, reset for this test: no state, faults, journal or outbox."""
    from ._control import EmulatorHandle

    handle = EmulatorHandle(
        base_url=chimekit_emulator_server.base_url,
        admin_url=chimekit_emulator_server.admin_url,
        secret_key=chimekit_emulator_server.secret_key,
    )
    handle.reset()
    return handle


# SDK client fixtures. They import chimekit_async / chimekit_sync inside the function, never at
# module level: this module is imported at pytest start-up in every project that installs chimekit.

try:  # pytest-asyncio makes `async_chimekit` an async fixture in both its strict and auto modes
    import pytest_asyncio
except ImportError:  # pragma: no cover - users without pytest-asyncio get only the sync client
    pytest_asyncio = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from chimekit_async import AsyncChimeKit
    from chimekit_sync import ChimeKit


if pytest_asyncio is not None:

    @pytest_asyncio.fixture
    async def async_chimekit(chimekit_emulator: EmulatorHandle) -> AsyncIterator[AsyncChimeKit]:
        """An ``AsyncChimeKit`` bound to the emulator (never via a proxy), closed after the test."""
        from chimekit_async import AsyncChimeKit

        async with AsyncChimeKit(
            chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, trust_env=False
        ) as client:
            yield client


@pytest.fixture
def chimekit(chimekit_emulator: EmulatorHandle) -> Iterator[ChimeKit]:
    """A sync ``ChimeKit`` bound to the emulator (never via a proxy), closed after the test."""
    from chimekit_sync import ChimeKit

    with ChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, trust_env=False
    ) as client:
        yield client
