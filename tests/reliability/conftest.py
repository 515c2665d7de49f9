"""Fixtures for the reliability suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .rawserver import RawServer, Script


@pytest.fixture
def raw_server() -> Iterator[type[RawServer]]:
    """Start ``RawServer(script)`` instances; every one still running is stopped afterwards."""
    started: list[RawServer] = []

    class Tracked(RawServer):
        def __init__(self, script: Script) -> None:
            super().__init__(script)
            started.append(self)
            self.__enter__()

    yield Tracked
    for server in reversed(started):
        server.__exit__(None, None, None)
