"""Hangs, slow bodies and dead pooled connections: every call ends in time and frees its socket."""

from __future__ import annotations

import asyncio
import select
import threading
import time

import pytest

from chimekit_async import APIConnectionError, APITimeoutError, AsyncChimeKit
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .checks import assert_no_resource_warnings
from .rawserver import RawConnection, RawServer, json_response, response_head

TIMEOUT = 0.5
GRACE = 1.0
MEMBER_PATH = "^/audience/members/user_1$"
NULL_MEMBER = b'{"member":null}'
DRIP_EXTRA = {"interval": 0.3, "chunk": 4}


# -- against the emulator: hang and drip --------------------------------------------------------


@pytest.mark.parametrize(("fault", "extra"), [("hang", {}), ("drip", DRIP_EXTRA)])
async def test_async_hang_and_drip_end_in_timeout_and_the_client_recovers(
    chimekit_emulator: EmulatorHandle, fault: str, extra: dict[str, float]
) -> None:
    """Async: a hung or dripping answer is APITimeoutError within timeout + 1 s; the next call works."""
    async with AsyncChimeKit(
        chimekit_emulator.secret_key,
        base_url=chimekit_emulator.base_url,
        timeout=TIMEOUT,
        max_retries=0,
    ) as client:
        await client.audience.identify("user_1", display_name="x" * 200)
        rule = chimekit_emulator.add_fault(path=MEMBER_PATH, fault=fault, times=1, **extra)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.audience.get("user_1")
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert [f["fired"] for f in chimekit_emulator.faults() if f["id"] == rule] == [1]
        member = await client.audience.get("user_1")
        assert member is not None
        assert member.display_name == "x" * 200
    assert_no_resource_warnings()


@pytest.mark.parametrize(("fault", "extra"), [("hang", {}), ("drip", DRIP_EXTRA)])
def test_sync_hang_and_drip_end_in_timeout_and_the_client_recovers(
    chimekit_emulator: EmulatorHandle, fault: str, extra: dict[str, float]
) -> None:
    """Sync: a hung or dripping answer is APITimeoutError within timeout + 1 s; the next call works."""
    with ChimeKit(
        chimekit_emulator.secret_key,
        base_url=chimekit_emulator.base_url,
        timeout=TIMEOUT,
        max_retries=0,
    ) as client:
        client.audience.identify("user_1", display_name="x" * 200)
        rule = chimekit_emulator.add_fault(path=MEMBER_PATH, fault=fault, times=1, **extra)
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.audience.get("user_1")
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert [f["fired"] for f in chimekit_emulator.faults() if f["id"] == rule] == [1]
        member = client.audience.get("user_1")
        assert member is not None
        assert member.display_name == "x" * 200
    assert_no_resource_warnings()


async def test_async_hung_attempt_is_retried_to_success(
    chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """Async: with retries, a hung first attempt times out and the retry succeeds."""
    async with AsyncChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, timeout=TIMEOUT
    ) as client:
        await client.audience.identify("user_1")
        chimekit_emulator.add_fault(path=MEMBER_PATH, fault="hang", times=1)
        started = time.monotonic()
        assert await client.audience.get("user_1") is not None
        assert time.monotonic() - started < 2 * TIMEOUT + GRACE
    assert len(retry_waits) == 1


def test_sync_hung_attempt_is_retried_to_success(
    chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """Sync: with retries, a hung first attempt times out and the retry succeeds."""
    with ChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, timeout=TIMEOUT
    ) as client:
        client.audience.identify("user_1")
        chimekit_emulator.add_fault(path=MEMBER_PATH, fault="hang", times=1)
        started = time.monotonic()
        assert client.audience.get("user_1") is not None
        assert time.monotonic() - started < 2 * TIMEOUT + GRACE
    assert len(retry_waits) == 1


# -- against a raw server: the socket of a timed-out call is closed -----------------------------


class Silent:
    """Reads a request, then answers nothing (or drips a body), and notes when the client hangs up."""

    def __init__(self, *, drip: bool = False) -> None:
        self.drip = drip
        self.asked = threading.Event()
        self.hung_up = threading.Event()
        self.hung_up_at = 0.0

    def __call__(self, conn: RawConnection) -> None:
        if conn.read_request() is None:
            return
        self.asked.set()
        body = NULL_MEMBER + b" " * 4096
        if self.drip:
            conn.send(response_head(200, {"Content-Length": str(len(body))}))
        deadline = time.monotonic() + 5.0
        sent = 0
        while time.monotonic() < deadline:
            readable, _, _ = select.select([conn.sock], [], [], 0.2)
            if readable:
                try:
                    data = conn.sock.recv(1)
                except OSError:
                    data = b""
                if not data:
                    self.hung_up_at = time.monotonic()
                    self.hung_up.set()
                    return
            elif self.drip and sent < len(body):
                conn.send(body[sent : sent + 1])
                sent += 1


@pytest.mark.parametrize("drip", [False, True], ids=["silent", "drip"])
async def test_async_timed_out_connection_is_closed_not_pooled(
    raw_server: type[RawServer], drip: bool
) -> None:
    """Async: after a timeout the SDK closes that socket (the server sees EOF) instead of reusing it."""
    script = Silent(drip=drip)
    server = raw_server(script)
    async with AsyncChimeKit(
        "sk_test", base_url=server.url(), timeout=TIMEOUT, max_retries=0
    ) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            await client.audience.get("user_1")
        assert time.monotonic() - started < TIMEOUT + GRACE
        await asyncio.to_thread(script.hung_up.wait, GRACE)
        assert script.hung_up.is_set()
        assert script.hung_up_at - started < TIMEOUT + GRACE
    assert_no_resource_warnings()


@pytest.mark.parametrize("drip", [False, True], ids=["silent", "drip"])
def test_sync_timed_out_connection_is_closed_not_pooled(
    raw_server: type[RawServer], drip: bool
) -> None:
    """Sync: after a timeout the SDK closes that socket (the server sees EOF) instead of reusing it."""
    script = Silent(drip=drip)
    server = raw_server(script)
    with ChimeKit("sk_test", base_url=server.url(), timeout=TIMEOUT, max_retries=0) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError):
            client.audience.get("user_1")
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert script.hung_up.wait(GRACE)
        assert script.hung_up_at - started < TIMEOUT + GRACE
    assert_no_resource_warnings()


# -- the async timeout against cancellations and outer timeouts --------------------------------
# The async client's timeouts are its own (one shared timer per second of deadlines), so they
# must tell a cancellation of theirs from the caller's, as asyncio.timeout does.


def silent_client(server: RawServer, timeout: float) -> AsyncChimeKit:
    """An async client of ``server`` with ``timeout`` and no retries."""
    return AsyncChimeKit("sk_test", base_url=server.url(), timeout=timeout, max_retries=0)


async def test_async_timeout_is_exact_and_leaves_the_task_uncancelled(
    raw_server: type[RawServer],
) -> None:
    """Async: a silent server is APITimeoutError after the timeout; the task is not left cancelling."""
    server = raw_server(Silent())
    async with silent_client(server, TIMEOUT) as client:
        started = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            await client.audience.get("user_1")
        elapsed = time.monotonic() - started
    assert type(info.value) is APITimeoutError
    assert str(info.value) == f"GET /audience/members/user_1 timed out after {TIMEOUT} s"
    assert TIMEOUT <= elapsed < TIMEOUT + GRACE
    task = asyncio.current_task()
    assert task is not None
    assert task.cancelling() == 0
    assert_no_resource_warnings()


async def test_async_cancelling_a_call_is_a_cancellation_not_a_timeout(
    raw_server: type[RawServer],
) -> None:
    """Async: a call cancelled while it waits raises CancelledError, ends at once, frees its socket."""
    script = Silent()
    server = raw_server(script)
    async with silent_client(server, 30.0) as client:
        call = asyncio.create_task(client.audience.get("user_1"))
        assert await asyncio.to_thread(script.asked.wait, GRACE)
        started = time.monotonic()
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        assert call.cancelled()
        assert time.monotonic() - started < GRACE
        assert await asyncio.to_thread(script.hung_up.wait, GRACE)
    assert_no_resource_warnings()


async def test_async_outer_timeout_shorter_than_the_call_timeout_is_the_callers(
    raw_server: type[RawServer],
) -> None:
    """Async: asyncio.timeout(0.3) around a call with a 30 s timeout raises the caller's TimeoutError."""
    server = raw_server(Silent())
    async with silent_client(server, 30.0) as client:
        started = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            async with asyncio.timeout(0.3):
                await client.audience.get("user_1")
        assert type(info.value) is TimeoutError  # not the SDK's APITimeoutError
        assert 0.3 <= time.monotonic() - started < 0.3 + GRACE


async def test_async_call_timeout_inside_a_longer_outer_timeout_is_the_sdks(
    raw_server: type[RawServer],
) -> None:
    """Async: a 0.5 s call timeout inside asyncio.timeout(1.0) is APITimeoutError; the outer
    timeout still ends the block later as the caller's TimeoutError (no cancel count leaked)."""
    server = raw_server(Silent())
    outer = TIMEOUT + 0.5
    async with silent_client(server, TIMEOUT) as client:

        async def call_then_wait() -> None:
            async with asyncio.timeout(outer):
                with pytest.raises(APITimeoutError):
                    await client.audience.get("user_1")
                await asyncio.sleep(30)  # ended by the caller's own timeout

        started = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            await call_then_wait()
        assert type(info.value) is TimeoutError
        assert outer <= time.monotonic() - started < outer + GRACE


async def test_async_timeout_racing_a_cancellation_is_the_cancellation(
    raw_server: type[RawServer],
) -> None:
    """Async: a task cancelled in the very loop turn its call times out ends cancelled."""
    script = Silent()
    server = raw_server(script)
    async with silent_client(server, TIMEOUT) as client:
        call = asyncio.create_task(client.audience.get("user_1"))
        assert await asyncio.to_thread(script.asked.wait, GRACE)
        loop = asyncio.get_running_loop()
        transport = client._shared.transport
        assert transport is not None
        (due,) = transport._own[loop].deadlines._due  # when the SDK's timer fires
        loop.call_at(due, call.cancel)  # the same turn: both cancel before the task resumes
        with pytest.raises(asyncio.CancelledError):
            await call
        assert call.cancelled()


# -- half-closed keep-alive connections ---------------------------------------------------------


class KeepAliveThenClose:
    """Answers with keep-alive, then closes the first connection.

    ``race=False``: the server closes the idle connection right after its first answer.
    ``race=True``: the server reads the next request on that connection and closes it without
    answering (the close raced with the client's reuse). Later connections behave.
    """

    def __init__(self, server_ref: list[RawServer], *, race: bool) -> None:
        self.server_ref = server_ref
        self.race = race

    def __call__(self, conn: RawConnection) -> None:
        server = self.server_ref[0]
        while (request := conn.read_request()) is not None:
            server.record(conn, request)
            if conn.number == 1 and self.race and len(server.requests) > 1:
                return  # the request arrived on a connection the server is closing
            conn.send(json_response(NULL_MEMBER))
            if conn.number == 1 and not self.race:
                return  # close the idle keep-alive connection


def _keepalive_server(raw_server: type[RawServer], *, race: bool) -> RawServer:
    ref: list[RawServer] = []
    server = raw_server(KeepAliveThenClose(ref, race=race))
    ref.append(server)
    return server


async def test_async_idle_connection_closed_by_server_is_not_reused(
    raw_server: type[RawServer],
) -> None:
    """Async: a pooled connection the server closed while idle is dropped; the next call succeeds."""
    server = _keepalive_server(raw_server, race=False)
    async with AsyncChimeKit(
        "sk_test", base_url=server.url(), timeout=TIMEOUT, max_retries=0
    ) as client:
        assert await client.audience.get("user_1") is None
        # The server closed the idle connection; the thread's result wakes the loop only after a
        # select that also reported that FIN (loopback delivers it before close() returns).
        await asyncio.to_thread(server.wait_closed, 1)
        started = time.monotonic()
        assert await client.audience.get("user_1") is None
        assert time.monotonic() - started < TIMEOUT + GRACE
    assert [number for number, _ in server.requests] == [1, 2]
    assert_no_resource_warnings()


def test_sync_idle_connection_closed_by_server_is_not_reused(
    raw_server: type[RawServer],
) -> None:
    """Sync: a pooled connection the server closed while idle is dropped; the next call succeeds."""
    server = _keepalive_server(raw_server, race=False)
    with ChimeKit("sk_test", base_url=server.url(), timeout=TIMEOUT, max_retries=0) as client:
        assert client.audience.get("user_1") is None
        server.wait_closed(1)  # loopback: the FIN is in the client's receive queue on return
        started = time.monotonic()
        assert client.audience.get("user_1") is None
        assert time.monotonic() - started < TIMEOUT + GRACE
    assert [number for number, _ in server.requests] == [1, 2]
    assert_no_resource_warnings()


async def test_async_request_on_a_connection_closed_under_it_is_retried(
    raw_server: type[RawServer], retry_waits: list[float]
) -> None:
    """Async: a request the server drops on a reused keep-alive socket is retried on a new one."""
    server = _keepalive_server(raw_server, race=True)
    async with AsyncChimeKit("sk_test", base_url=server.url(), timeout=TIMEOUT) as client:
        assert await client.audience.get("user_1") is None
        started = time.monotonic()
        assert await client.audience.get("user_1") is None
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert await client.audience.get("user_1") is None
    assert [number for number, _ in server.requests] == [1, 1, 2, 2]
    assert len(retry_waits) == 1


def test_sync_request_on_a_connection_closed_under_it_is_retried(
    raw_server: type[RawServer], retry_waits: list[float]
) -> None:
    """Sync: a request the server drops on a reused keep-alive socket is retried on a new one."""
    server = _keepalive_server(raw_server, race=True)
    with ChimeKit("sk_test", base_url=server.url(), timeout=TIMEOUT) as client:
        assert client.audience.get("user_1") is None
        started = time.monotonic()
        assert client.audience.get("user_1") is None
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert client.audience.get("user_1") is None
    assert [number for number, _ in server.requests] == [1, 1, 2, 2]
    assert len(retry_waits) == 1


async def test_async_dropped_reused_connection_without_retries_is_a_connection_error(
    raw_server: type[RawServer],
) -> None:
    """Async: with max_retries=0 the dropped request is an APIConnectionError at once, not a hang."""
    server = _keepalive_server(raw_server, race=True)
    async with AsyncChimeKit(
        "sk_test", base_url=server.url(), timeout=TIMEOUT, max_retries=0
    ) as client:
        assert await client.audience.get("user_1") is None
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as caught:
            await client.audience.get("user_1")
        assert not isinstance(caught.value, APITimeoutError)
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert await client.audience.get("user_1") is None
    assert_no_resource_warnings()


def test_sync_dropped_reused_connection_without_retries_is_a_connection_error(
    raw_server: type[RawServer],
) -> None:
    """Sync: with max_retries=0 the dropped request is an APIConnectionError at once, not a hang."""
    server = _keepalive_server(raw_server, race=True)
    with ChimeKit("sk_test", base_url=server.url(), timeout=TIMEOUT, max_retries=0) as client:
        assert client.audience.get("user_1") is None
        started = time.monotonic()
        with pytest.raises(APIConnectionError) as caught:
            client.audience.get("user_1")
        assert not isinstance(caught.value, APITimeoutError)
        assert time.monotonic() - started < TIMEOUT + GRACE
        assert client.audience.get("user_1") is None
    assert_no_resource_warnings()
