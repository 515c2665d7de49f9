"""Requests the server refuses before it has read them: answered cleanly, no socket left open."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import warnings
from collections.abc import Callable

import pytest

from chimekit_async import APIStatusError, APITimeoutError, AsyncChimeKit
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .rawserver import RawConnection, RawServer, json_response

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


# -- a server that answers after the head and never reads the body -------------------------------

REFUSED = b'{"error": "Payload too large"}'
CLIENT_TIMEOUT = 1.0


def _answer_before_the_body(
    backed_up: threading.Event, done: threading.Event
) -> Callable[[RawConnection], None]:
    """Read the request head only; once ``backed_up``, answer 413; hold the connection, unread.

    The client's body stays in its buffers: nothing drains them and nothing closes the
    connection until ``done``.
    """

    def script(conn: RawConnection) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.sock.recv(4096)
            if not chunk:
                return
            head += chunk
        backed_up.wait(10)
        conn.send(json_response(REFUSED, status=413))
        done.wait(10)

    return script


def _transports_to(port: int) -> list[asyncio.Transport]:
    """asyncio transports still holding an open socket to ``port`` (closing or not)."""
    found = []
    for obj in gc.get_objects():
        if isinstance(obj, asyncio.Transport):
            peer = obj.get_extra_info("peername")
            sock = obj.get_extra_info("socket")
            if peer is not None and peer[1] == port and sock is not None and sock.fileno() != -1:
                found.append(obj)
    return found


def test_async_early_answer_from_a_server_that_stops_reading_leaves_no_socket_open(
    raw_server: type[RawServer],
) -> None:
    """Async: the 413 comes back, and the half-sent connection is dropped, not left closing.

    The server answers only once the body has backed up into asyncio's own write buffer (the
    kernel's are full): closing that transport would wait for bytes nobody reads.
    """
    backed_up, done = threading.Event(), threading.Event()
    server = raw_server(_answer_before_the_body(backed_up, done))

    async def run() -> BaseException | None:
        async with AsyncChimeKit("sk_test", base_url=server.url(), max_retries=0) as client:
            call = asyncio.ensure_future(client.audience.identify("u", display_name=LARGE_BODY))
            deadline = time.monotonic() + 10
            while not any(t.get_write_buffer_size() for t in _transports_to(server.port)):
                assert time.monotonic() < deadline, "the body never backed up"
                await asyncio.sleep(0.01)
            backed_up.set()
            try:
                await call
            except APIStatusError as exc:
                return exc
        return None

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            error = asyncio.run(run())
            gc.collect()
            still_open = len(_transports_to(server.port))
    finally:
        backed_up.set()
        done.set()
    assert type(error) is APIStatusError
    assert (error.status_code, str(error)) == (413, "Error code: 413 - Payload too large")
    assert still_open == 0
    assert _unclosed(caught) == []
    assert server.connections == 1


def test_sync_early_answer_from_a_server_that_stops_reading_times_out_and_frees_the_socket(
    raw_server: type[RawServer],
) -> None:
    """Sync: http.client cannot read before it has sent; the call ends at its timeout, socket freed."""
    backed_up, done = threading.Event(), threading.Event()
    backed_up.set()  # answer at once: http.client reads nothing before the body is sent
    server = raw_server(_answer_before_the_body(backed_up, done))
    started = time.monotonic()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with (
                ChimeKit(
                    "sk_test",
                    base_url=server.url(),
                    max_retries=0,
                    timeout=CLIENT_TIMEOUT,
                ) as client,
                pytest.raises(APITimeoutError) as error,
            ):
                client.audience.identify("u", display_name=LARGE_BODY)
            elapsed = time.monotonic() - started
            gc.collect()
    finally:
        done.set()
    assert str(error.value) == "POST /audience/identify timed out after 1.0 s"
    assert CLIENT_TIMEOUT <= elapsed < CLIENT_TIMEOUT + 1.0
    assert _unclosed(caught) == []
    assert server.connections == 1
