"""Protocol-level misbehaviour against both transports: dripped heads, oversized headers, memory."""

from __future__ import annotations

import asyncio
import gc
import math
import ssl
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from reliability.checks import assert_no_resource_warnings
from reliability.rawserver import RawConnection, RawServer, Script, response_head

from chimekit_async import AsyncChimeKit
from chimekit_async._transport import _Due
from chimekit_core import APIConnectionError, APIResponseValidationError, APITimeoutError
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .tls import trusted_server_context

FLAVOURS = ["sync", "async"]
BODY = b'{"ok":true}'


def call(flavour: str, base_url: str, *, timeout: float = 5.0, max_retries: int = 0) -> Any:
    """``GET /ping`` with a fresh client of ``flavour``; returns the decoded body."""
    if flavour == "sync":
        with ChimeKit(
            "sk_test", base_url=base_url, timeout=timeout, max_retries=max_retries
        ) as client:
            return client.request("GET", "/ping")

    async def run() -> Any:
        async with AsyncChimeKit(
            "sk_test", base_url=base_url, timeout=timeout, max_retries=max_retries
        ) as client:
            return await client.request("GET", "/ping")

    return asyncio.run(run())


# -- item 5: the timeout bounds the status line and the headers ---------------------------------


def dripping(part: str, interval: float = 0.2) -> Script:
    """Read a request, then send the response head one byte per ``interval`` (``part`` first)."""
    head = response_head(200, {"Content-Type": "application/json", "X-Padding": "p" * 40})
    status_end = head.index(b"\r\n") + 2

    def script(conn: RawConnection) -> None:
        if conn.read_request() is None:
            return
        at = 0 if part == "status line" else status_end
        if not conn.send(head[:at]):
            return
        deadline = time.monotonic() + 30.0
        while at < len(head) and time.monotonic() < deadline:
            time.sleep(interval)  # the server's pace, not a wait in the test
            if not conn.send(head[at : at + 1]):
                return
            at += 1

    return script


@pytest.mark.parametrize("part", ["status line", "headers"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dripped_head_times_out_within_the_timeout(
    raw_server: Callable[[Script], RawServer], flavour: str, part: str
) -> None:
    """A status line or headers dripped one byte per 0.2 s end in APITimeoutError after 1 s, not later."""
    server = raw_server(dripping(part))
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        call(flavour, server.url(), timeout=1.0)
    elapsed = time.monotonic() - started
    assert str(info.value) == "GET /ping timed out after 1.0 s"
    assert 1.0 <= elapsed < 1.5


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_dripped_head_over_tls_times_out_and_frees_the_socket(
    raw_server: Callable[[Script], RawServer], monkeypatch: pytest.MonkeyPatch, flavour: str
) -> None:
    """Over https, dripped headers end in APITimeoutError after 1 s, and no TLS socket is left open.

    (Sync reads through an SSLSocket; async must abort the TLS transport whose close
    handshake the server never answers, or it outlives the event loop.)
    """
    server_context = trusted_server_context(monkeypatch)
    drip = dripping("headers")

    def script(conn: RawConnection) -> None:
        try:
            tls = server_context.wrap_socket(conn.sock, server_side=True)
        except (ssl.SSLError, OSError):
            return
        inner = RawConnection(conn.number, tls)
        try:
            drip(inner)
        finally:
            inner.close()

    server = raw_server(script)
    started = time.monotonic()
    with pytest.raises(APITimeoutError) as info:
        call(flavour, f"https://127.0.0.1:{server.port}/sdk/v1", timeout=1.0)
    elapsed = time.monotonic() - started
    assert str(info.value) == "GET /ping timed out after 1.0 s"
    assert 1.0 <= elapsed < 1.5
    assert_no_resource_warnings()


# -- item 12: large response headers are read; oversized ones refused once ----------------------


def start_big_header_server(raw_server: Callable[[Script], RawServer], size: int) -> RawServer:
    """A RawServer answering with an ``X-Big`` header of ``size`` bytes; it records requests."""
    servers: list[RawServer] = []

    def script(conn: RawConnection) -> None:
        while (request := conn.read_request()) is not None:
            servers[0].record(conn, request)
            head = response_head(
                200,
                {
                    "Content-Type": "application/json",
                    "Content-Length": str(len(BODY)),
                    "X-Big": "b" * size,
                },
            )
            if not conn.send(head + BODY):
                return

    servers.append(raw_server(script))
    return servers[0]


@pytest.mark.parametrize("size", [10_000, 60 * 1024], ids=["10KB", "60KiB"])
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_large_response_header_is_read(
    raw_server: Callable[[Script], RawServer], flavour: str, size: int
) -> None:
    """A response header of 10 KB or 60 KiB is read like any other, in both flavours."""
    server = start_big_header_server(raw_server, size)
    assert call(flavour, server.url()) == {"ok": True}
    assert len(server.requests) == 1


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_oversized_response_header_is_refused_without_retry(
    raw_server: Callable[[Script], RawServer], flavour: str, retry_waits: list[float]
) -> None:
    """A 200 KiB response header is APIResponseValidationError naming the limit, sent once, not retried."""
    server = start_big_header_server(raw_server, 200 * 1024)
    with pytest.raises(APIResponseValidationError) as info:
        call(flavour, server.url(), max_retries=2)
    assert type(info.value) is APIResponseValidationError
    assert info.value.message == (
        "GET /ping: a response header line is longer than 64 KiB; refused, and not retried"
    )
    assert len(server.requests) == 1
    assert retry_waits == []


def answering(data: bytes) -> tuple[list[RawServer], Script]:
    """A script that records each request, sends ``data`` and closes; the list gets the server."""
    servers: list[RawServer] = []

    def script(conn: RawConnection) -> None:
        request = conn.read_request()
        if request is not None:
            servers[0].record(conn, request)
            conn.send(data)

    return servers, script


MALFORMED = {
    "bad status code": b"HTTP/1.1 abc OK\r\nContent-Length: 2\r\n\r\n{}",
    "not http": b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
    "header without colon": b"HTTP/1.1 200 OK\r\nNo colon here\r\nContent-Length: 2\r\n\r\n{}",
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_malformed_head_is_refused_without_retry(
    raw_server: Callable[[Script], RawServer],
    flavour: str,
    data: bytes,
    retry_waits: list[float],
) -> None:
    """A status line or header the parser rejects is the same APIResponseValidationError in both flavours, sent once."""
    servers, script = answering(data)
    servers.append(raw_server(script))
    with pytest.raises(APIResponseValidationError) as info:
        call(flavour, servers[0].url(), max_retries=2)
    assert type(info.value) is APIResponseValidationError
    assert info.value.message == (
        "GET /ping: the response status line or headers are malformed; refused, and not retried"
    )
    assert len(servers[0].requests) == 1


CUT = {
    "before the head": b"",
    "in the status line": b"HTTP/1.1 20",
    "in the headers": b"HTTP/1.1 200 OK\r\nContent-Type: applic",
}


@pytest.mark.parametrize("data", CUT.values(), ids=CUT.keys())
@pytest.mark.parametrize("flavour", FLAVOURS)
def test_connection_cut_in_the_head_is_retried(
    raw_server: Callable[[Script], RawServer],
    flavour: str,
    data: bytes,
    retry_waits: list[float],
) -> None:
    """A connection closed before or within the head is a network fault: APIConnectionError after 3 tries."""
    servers, script = answering(data)
    servers.append(raw_server(script))
    with pytest.raises(APIConnectionError) as info:
        call(flavour, servers[0].url(), max_retries=2)
    assert type(info.value) is APIConnectionError
    assert len(servers[0].requests) == 3


# -- item 6: no per-call state outlives the call -------------------------------------------------


def live_timers() -> int:
    """Event-loop timers still set (not cancelled)."""
    gc.collect()
    return sum(
        1
        for obj in gc.get_objects()
        if isinstance(obj, asyncio.TimerHandle) and not obj.cancelled()
    )


def live_timeout_state() -> int:
    """Per-call timeout state alive: timers still set, aiohttp timeouts, the SDK's deadlines."""
    timers = live_timers()  # collects first
    return timers + sum(
        1 for obj in gc.get_objects() if isinstance(obj, aiohttp.ClientTimeout | _Due)
    )


class FailingSession:
    """Stands in for a caller's session: every request fails at once, without a network."""

    connector = None

    async def request(self, *args: Any, **kwargs: Any) -> Any:
        raise aiohttp.ClientConnectionError("offline")


class RecordingSession:
    """A caller's session: every request goes through its own ``request()``, which notes it."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session
        self.connector = session.connector
        self.methods: list[str] = []

    def request(self, method: str, url: Any, **kwargs: Any) -> Any:
        self.methods.append(method)
        return self.session.request(method, url, **kwargs)


async def test_a_callers_session_is_called_through_its_request_method(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """The caller's session is used as it is: each call goes through its public request()."""
    async with aiohttp.ClientSession() as real:
        session = RecordingSession(real)
        async with AsyncChimeKit(
            chimekit_emulator.secret_key,
            base_url=chimekit_emulator.base_url,
            session=session,  # type: ignore[arg-type]
        ) as client:
            await client.audience.identify("user_1")
            member = await client.audience.get("user_1")
        assert member is not None
        assert member.id == "user_1"
        assert session.methods == ["POST", "GET"]
        assert not real.closed  # and the client left it open


def offline_client(**options: Any) -> AsyncChimeKit:
    """A client whose every call fails at once (a ``FailingSession``), without retries."""
    return AsyncChimeKit(
        "sk_test",
        base_url="http://127.0.0.1:9/sdk/v1",
        session=FailingSession(),  # type: ignore[arg-type]
        max_retries=0,
        **options,
    )


async def test_distinct_timeouts_leave_no_objects_behind() -> None:
    """50,000 calls, each with its own timeout, leave no timer or deadline behind."""
    async with offline_client() as client:
        before = live_timeout_state()
        for i in range(50_000):
            with pytest.raises(APIConnectionError):
                await client.request("GET", "/ping", timeout=1.0 + i / 100_000)
        assert live_timeout_state() - before <= 16


async def test_calls_with_long_timeouts_share_one_timer_per_second() -> None:
    """5,000 calls with a 60 s timeout set one timer per second they fall due in, not one each."""
    async with offline_client(timeout=60.0) as client:
        loop = asyncio.get_running_loop()
        before = live_timers()
        first_due = math.ceil(loop.time() + 60.0)
        for _ in range(5_000):
            with pytest.raises(APIConnectionError):
                await client.request("GET", "/ping")
        seconds = math.ceil(loop.time() + 60.0) - first_due + 1  # the seconds they fall due in
        assert 1 <= live_timers() - before <= seconds


async def test_wait_for_run_polls_leave_no_objects_behind(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """wait_for_run's polls, each with what is left of the deadline, leave no timer behind."""
    chimekit_emulator.set_run_schedule(queued_seconds=3600, running_seconds=3600)
    async with AsyncChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url
    ) as client:
        await client.audience.identify("user_1")
        ref = await client.workflows.run("slow", "user_1")
        await client.workflows.get_run(ref.run_id)
        before = live_timeout_state()
        polls_before = len(chimekit_emulator.journal())
        with pytest.raises(APITimeoutError):
            await client.workflows.wait_for_run(ref.run_id, timeout=1.0, poll_interval=0.005)
        polls = len(chimekit_emulator.journal()) - polls_before
        assert polls >= 20  # more than the cache may hold, so growth would show
        assert live_timeout_state() - before <= 16
