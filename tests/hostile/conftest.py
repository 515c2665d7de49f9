"""Fixtures for the hostile-server tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from reliability.checks import assert_no_resource_warnings
from reliability.rawserver import RawServer, Script

from .servers import FunctionServer, Handler


@pytest.fixture
def function_server() -> Iterator[Callable[[Handler], FunctionServer]]:
    """Start ``FunctionServer(handler)`` instances; all are stopped after the test."""
    started: list[FunctionServer] = []

    def start(handler: Handler) -> FunctionServer:
        server = FunctionServer(handler).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def raw_server() -> Iterator[Callable[[Script], RawServer]]:
    """Start ``RawServer(script)`` instances; every one still running is stopped afterwards."""
    started: list[RawServer] = []

    def start(script: Script) -> RawServer:
        server = RawServer(script).__enter__()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _no_leaked_sockets() -> Iterator[None]:
    """Every hostile test leaves no socket, session or file open (collected and checked after)."""
    yield
    assert_no_resource_warnings()
