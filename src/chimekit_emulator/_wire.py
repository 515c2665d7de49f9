"""Putting a reply on the socket: whole, truncated, dripped, late, or not at all.

These work on the real connection (``request.transport``), so a client sees exactly what it would
see from a misbehaving server or network: a reset, silence, a short body, a slow body.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct

from aiohttp import web

from ._reply import Reply

POLL_SECONDS = 0.05
"""How often a hung request checks whether its client has gone away."""

logger = logging.getLogger("chimekit_emulator")


async def pause(stopping: asyncio.Event, seconds: float) -> bool:
    """Wait ``seconds``; returns ``False`` early if the server starts shutting down."""
    if stopping.is_set():
        return False
    try:
        async with asyncio.timeout(seconds):
            await stopping.wait()
    except TimeoutError:
        return True
    return False


def _connected(request: web.BaseRequest) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def drop(request: web.BaseRequest, *, reset: bool) -> web.StreamResponse:
    """Close the connection without (the rest of) a response.

    Args:
        request: The request whose connection to close.
        reset: Send a TCP RST (``SO_LINGER`` 0) instead of an orderly close.

    Returns:
        A response for aiohttp to find the connection gone when it tries to send it.
    """
    transport = request.transport
    if transport is not None:
        if reset:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        else:
            transport.close()
    return web.Response(status=204)


async def hang(request: web.BaseRequest, stopping: asyncio.Event) -> web.StreamResponse:
    """Never answer: wait until the client disconnects or the server stops, then close."""
    while _connected(request) and await pause(stopping, POLL_SECONDS):
        pass
    return drop(request, reset=False)


def _streamed(reply: Reply) -> web.StreamResponse:
    response = web.StreamResponse(status=reply.status, headers=dict(reply.headers))
    response.content_length = len(reply.body)
    return response


async def send_truncated(request: web.BaseRequest, reply: Reply) -> web.StreamResponse:
    """Announce the full ``Content-Length``, send half the body, then close the connection.

    An empty body cannot be cut short: its headers go out complete, then the connection closes.
    """
    response = _streamed(reply)
    try:
        await response.prepare(request)
        if reply.body:
            await response.write(reply.body[: len(reply.body) // 2])
        else:
            await response.write_eof()
    except ConnectionError:
        pass
    except Exception:
        logger.exception("the emulator failed while truncating a response")
    return drop(request, reset=False)


async def send_dripped(
    request: web.BaseRequest,
    reply: Reply,
    *,
    chunk: int,
    interval: float,
    stopping: asyncio.Event,
) -> web.StreamResponse:
    """Send the headers, then the body ``chunk`` bytes at a time, ``interval`` seconds apart."""
    response = _streamed(reply)
    body = reply.body
    try:
        await response.prepare(request)
        for start in range(0, len(body), chunk):
            if start and not (await pause(stopping, interval) and _connected(request)):
                return drop(request, reset=False)
            await response.write(body[start : start + chunk])
        await response.write_eof()
    except ConnectionError:
        pass
    except Exception:
        # The headers may be out already: a second response would corrupt the stream.
        logger.exception("the emulator failed while dripping a response")
        return drop(request, reset=False)
    return response
