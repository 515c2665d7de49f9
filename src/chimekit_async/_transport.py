"""The aiohttp transport: the only module of ``chimekit_async`` that knows aiohttp.

It sends a core ``chimekit_core._http.Request``, returns a core
``chimekit_core._http.Response``, and maps every aiohttp failure to a core
exception. It owns one ``ClientSession`` per event loop: a client built at import time,
or used from successive ``asyncio.run()`` calls, opens a fresh session in each loop and
closes it when that loop shuts down, so nothing is bound to a dead loop and nothing leaks.
Timeouts are the transport's own (``_Deadlines``) rather than aiohttp's timer and context
managers per request: requests with timeouts of 5 s or more share one timer per second.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import math
import os
import ssl
import sys
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import hdrs, http_exceptions
from yarl import URL

from chimekit_core._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InsecureTransportWarning,
)
from chimekit_core._http import MAX_RESPONSE_BYTES, Request, Response
from chimekit_core._proxy import Proxy, ProxyResolver

__all__ = ["AsyncTransport"]

_CHUNK = 64 * 1024
_LARGE_BODY = 1024 * 1024
# Response heads: a status line or a header value up to 64 KiB is read (aiohttp's default
# is 8190 bytes), as urllib3/http.client in the sync flavour does.
_MAX_HEAD_LINE = 65536
# TLS certificates trusted by the sessions the transport makes; None means the system's.
# Tests set it to a private CA; users who need their own trust pass a configured session.
_TLS_CONTEXT: ssl.SSLContext | None = None
# Before CPython 3.12.8/3.13.1 (python/cpython#118960) asyncio leaks a TLS transport whose
# close handshake the peer never answers, as after a timed-out call; aiohttp then aborts
# such transports itself when asked (and warns when asked on a fixed Python).
_CLEANUP_CLOSED = sys.version_info < (3, 12, 8) or (3, 13, 0) <= sys.version_info < (3, 13, 1)
_NO_PROXY: tuple[URL | None, dict[str, str] | None] = (None, None)
# aiohttp's own timers off: _Deadlines bounds the whole request (a caller's session's
# default timeout would otherwise apply instead).
_NO_TIMEOUT = aiohttp.ClientTimeout()
# A timeout of this many seconds or more ends on the next whole second of the loop's clock,
# as aiohttp's own does (its timeout_ceil_threshold): such requests then share a timer.
_CEIL_THRESHOLD = 5.0
_Request = Callable[..., Awaitable[aiohttp.ClientResponse]]


class _Due(dict[asyncio.Task[Any], int]):
    """The requests due at one time: each one's task, with the cancellations it had already."""

    __slots__ = ("expired", "handle", "shared", "when")

    expired: bool
    handle: asyncio.TimerHandle
    shared: bool  # a whole second's timer, which later requests may join
    when: float

    def timed_out(self, task: asyncio.Task[Any]) -> bool:
        """After ``task``'s ``CancelledError``: whether it was this timeout's (then taken back)."""
        return self.expired and task.uncancel() <= self[task]


class _Deadlines:
    """Cancels the requests of one event loop that outlive their timeout.

    aiohttp's per-request timeout costs a timer and two context managers per call (about
    6% of a GET at concurrency 50). Here the requests due in the same second share one
    timer, which cancels those still running when it fires, as aiohttp's timer does; a
    request that ends in time only leaves its ``_Due``. Nothing is allocated per request.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._due: dict[float, _Due] = {}

    def start(self, task: asyncio.Task[Any], timeout: float) -> _Due:
        """Watch ``task`` (the current one) for ``timeout`` seconds."""
        when = self.loop.time() + timeout
        shared = timeout >= _CEIL_THRESHOLD
        if shared:
            when = math.ceil(when)
        due = self._due.get(when)
        if due is None:
            due = self._due[when] = _Due()
            due.expired, due.shared, due.when = False, shared, when
            due.handle = self.loop.call_at(when, self._expire, due)
        due[task] = task.cancelling()
        return due

    def finish(self, due: _Due, task: asyncio.Task[Any]) -> None:
        """Stop watching ``task``'s request, which has ended in any way."""
        del due[task]
        if not due and not due.shared and not due.expired:
            # An exact deadline (a short timeout) is nobody else's: drop its timer now, so
            # that short timeouts leave no timers behind. A whole second's timer stays for
            # the next requests due then.
            due.handle.cancel()
            del self._due[due.when]

    def _expire(self, due: _Due) -> None:
        due.expired = True
        del self._due[due.when]
        for task in due:
            task.cancel()


class _LoopSession:
    """A session owned by the transport, bound to one loop, closed when that loop ends."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.deadlines = _Deadlines(loop)
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(
                limit=100,
                ttl_dns_cache=300,
                ssl=True if _TLS_CONTEXT is None else _TLS_CONTEXT,
                enable_cleanup_closed=_CLEANUP_CLOSED,
            ),
            auto_decompress=True,
            raise_for_status=False,
            max_line_size=_MAX_HEAD_LINE,
            max_field_size=_MAX_HEAD_LINE,
        )
        # request() wraps _request() in a context manager whose __await__ puts one more
        # generator in the way of every resumption of the call (about 2.5% of a GET at
        # concurrency 50): this session, of a class the transport chose, is called through
        # _request() itself. A caller's session, maybe a subclass, goes through request().
        self.request: _Request = getattr(self.session, "_request", self.session.request)
        # aiohttp silently resends an idempotent request once when a pooled connection turns
        # out dead; tenacity is our only retry layer, so every attempt is counted and logged.
        if hasattr(self.session, "_retry_connection"):
            self.session._retry_connection = False
        # asyncio.run() and pytest-asyncio cancel every task before closing the loop; this
        # task's cancellation is how the session learns that its loop is ending.
        self.guard = loop.create_task(self._close_with_loop())

    async def _close_with_loop(self) -> None:
        try:
            await asyncio.get_running_loop().create_future()
        finally:
            await self.session.close()

    async def close(self) -> None:
        self.guard.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.guard
        await self.session.close()

    def abandon(self) -> None:
        """Drop a session whose loop is gone; nothing can be awaited there any more."""
        connector = self.session.connector
        self.session.detach()
        if connector is not None:
            # The loop is closed, so there is no one to await the close: close synchronously.
            connector._close()


class AsyncTransport:
    """Sends requests with aiohttp.

    Args:
        session: A session the caller owns and closes; otherwise the transport opens and
            closes its own, one per event loop. A caller's session is used as it is: its
            own ``trust_env`` applies, and ``proxy``/``trust_env`` here do not.
        proxy: The proxy for every request (already checked by ``check_proxy``).
        trust_env: Without ``proxy``, follow ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession | None = None,
        *,
        proxy: Proxy | None = None,
        trust_env: bool = True,
    ) -> None:
        self._user_session = session
        self._own: dict[asyncio.AbstractEventLoop, _LoopSession] = {}
        self._user_deadlines: _Deadlines | None = None
        self._proxies = ProxyResolver(proxy, trust_env and session is None)
        self._proxy_args: dict[Proxy, tuple[URL | None, dict[str, str] | None]] = {}
        if session is not None:
            _warn_if_unverified(session)

    def _for_loop(self, loop: asyncio.AbstractEventLoop) -> tuple[_Request, _Deadlines]:
        """How to send a request in ``loop``, and its timeouts; made with its first request."""
        if self._user_session is not None:
            deadlines = self._user_deadlines
            if deadlines is None or deadlines.loop is not loop:
                deadlines = self._user_deadlines = _Deadlines(loop)
            return self._user_session.request, deadlines
        entry = self._own.get(loop)
        if entry is None or entry.guard.done():
            self._forget_dead_loops()
            entry = self._own[loop] = _LoopSession(loop)
        return entry.request, entry.deadlines

    def _forget_dead_loops(self) -> None:
        for loop, entry in list(self._own.items()):
            if loop.is_closed():
                entry.abandon()
                del self._own[loop]
            elif entry.guard.done():
                del self._own[loop]

    def _proxy_for(self, url: str) -> tuple[URL | None, dict[str, str] | None]:
        proxy = self._proxies.for_url(url)
        if proxy is None:
            return _NO_PROXY
        args = self._proxy_args.get(proxy)
        if args is None:
            headers = None
            if proxy.username is not None:
                # A header rather than aiohttp.BasicAuth, which aiohttp 3.14 deprecates.
                pair = f"{proxy.username}:{proxy.password or ''}".encode()
                headers = {"Proxy-Authorization": "Basic " + base64.b64encode(pair).decode()}
            args = self._proxy_args[proxy] = (URL(proxy.url), headers)
        return args

    async def send(self, request: Request, timeout: float | None) -> Response:
        """Send ``request`` and read the whole response within ``timeout`` seconds.

        Raises:
            APITimeoutError: the request did not complete in time.
            APIConnectionError: the connection failed or the body was cut off.
            APIResponseValidationError: the body is larger than 32 MiB.
        """
        # _for_loop()'s common case inline: this loop's live session.
        loop = asyncio.get_running_loop()
        entry = self._own.get(loop)
        if entry is not None and not entry.guard.done():
            send_request, deadlines = entry.request, entry.deadlines
        else:
            send_request, deadlines = self._for_loop(loop)
        headers = request.headers
        proxy, proxy_headers = self._proxy_for(request.url) if self._proxies.active else _NO_PROXY
        if proxy_headers is not None and request.url.startswith("http:"):
            # aiohttp sends proxy_headers only on a CONNECT; a plain-http request to the
            # proxy carries them itself.
            headers = {**headers, **proxy_headers}
        due: _Due | None = None
        task: asyncio.Task[Any] | None = None
        if timeout is not None:
            task = asyncio.current_task(loop)
            if task is None:  # aiohttp's own timer says the same
                raise RuntimeError("AsyncChimeKit must be used inside an asyncio task")
            due = deadlines.start(task, timeout)
        try:
            # Awaited rather than `async with`: the same steps as the context managers'
            # (release, then wait_for_close), without their four extra coroutines; a request
            # without a body has no body writer to wait for.
            resp = await send_request(
                request.method,
                # encoded=True: the path is already percent-encoded by core, and yarl must
                # not decode %2E%2E back into a `..` segment that it would then resolve.
                URL(request.url, encoded=True),
                headers=headers,
                data=None if request.body is None else _payload(request.body),
                allow_redirects=False,
                timeout=_NO_TIMEOUT,
                proxy=proxy,
                proxy_headers=proxy_headers,
            )
            # The socket, while the body may still be going out (see _abort_if_unsent).
            connection = resp.connection if request.body is not None else None
            transport = connection.transport if connection is not None else None
            try:
                headers = resp.headers
                length = headers.get(hdrs.CONTENT_LENGTH)  # resp.content_length, unwrapped
                if (
                    length is not None
                    and hdrs.CONTENT_ENCODING not in headers
                    and int(length) <= MAX_RESPONSE_BYTES
                ):
                    content = await resp.read()  # the common case, without another coroutine
                else:
                    content = await _read_body(resp)
                return Response(resp.status, headers, content, request)
            finally:
                resp.release()
                if transport is not None:  # a request with a body: its writer may be running
                    await resp.wait_for_close()
                    _abort_if_unsent(transport)
        except asyncio.CancelledError:
            if due is None or task is None or not due.timed_out(task):
                raise
            raise _timed_out(request, timeout) from None
        except TimeoutError:  # none of aiohttp's timers run (_NO_TIMEOUT); kept for any below it
            raise _timed_out(request, timeout) from None
        except aiohttp.ClientPayloadError as exc:
            raise APIConnectionError(
                f"{request.method} {request.path}: the response body was cut off ({exc})",
                method=request.method,
                url=request.url,
            ) from None
        except aiohttp.ServerDisconnectedError:
            # Its str() is the repr of whatever part of the head was parsed: say it plainly.
            raise APIConnectionError(
                f"{request.method} {request.path}: the server closed the connection before "
                "the response was complete",
                method=request.method,
                url=request.url,
            ) from None
        except aiohttp.ClientHttpProxyError as exc:
            raise APIConnectionError(
                f"{request.method} {request.path}: could not go through the proxy "
                f"{_origin(proxy)} (it answered {exc.status} {exc.message})",
                method=request.method,
                url=request.url,
            ) from None
        except aiohttp.ClientProxyConnectionError as exc:
            raise APIConnectionError(
                f"{request.method} {request.path}: could not connect to the proxy "
                f"{_origin(proxy)} ({_describe(exc.os_error)})",
                method=request.method,
                url=request.url,
            ) from None
        except aiohttp.ClientResponseError as exc:
            refused = _refused_head(request, exc)
            if refused is not None:
                raise refused from None
            raise _connection_failed(request, exc) from None
        except (aiohttp.ClientError, OSError) as exc:
            raise _connection_failed(request, exc) from None
        finally:
            if due is not None and task is not None:
                deadlines.finish(due, task)

    async def close(self) -> None:
        """Close the sessions this transport opened (never a session the caller passed)."""
        current = _running_loop()
        for loop, entry in list(self._own.items()):
            if loop is current:
                await entry.close()
            elif loop.is_closed():
                entry.abandon()
            elif not entry.guard.done():
                asyncio.run_coroutine_threadsafe(entry.close(), loop)
        self._own.clear()


def _timed_out(request: Request, timeout: float | None) -> APITimeoutError:
    return APITimeoutError(
        f"{request.method} {request.path} timed out after {timeout} s",
        method=request.method,
        url=request.url,
    )


def _connection_failed(request: Request, exc: BaseException) -> APIConnectionError:
    return APIConnectionError(
        f"{request.method} {request.path}: connection failed ({type(exc).__name__}: {exc})",
        method=request.method,
        url=request.url,
    )


def _describe(exc: BaseException) -> str:
    """``Type: reason``, with the OS's wording for an errno (the same in both flavours)."""
    if isinstance(exc, OSError) and exc.errno:
        return f"{type(exc).__name__}: {os.strerror(exc.errno)}"
    return f"{type(exc).__name__}: {exc}"


def _origin(proxy: URL | None) -> str:
    return "" if proxy is None else f"{proxy.scheme}://{proxy.host}:{proxy.port}"


def _refused_head(
    request: Request, exc: aiohttp.ClientResponseError
) -> APIResponseValidationError | None:
    """The error for a response head aiohttp's parser refused, or ``None`` otherwise.

    An oversized or malformed status line or header block comes back the same on every try,
    so it is not a connection error (which would be retried).
    """
    cause = exc.__cause__
    # aiohttp re-raises the parser's error as a plain HttpProcessingError caused by it.
    underlying = cause.__cause__ if cause is not None else None
    if isinstance(cause, http_exceptions.LineTooLong) or isinstance(
        underlying, http_exceptions.LineTooLong
    ):
        reason = f"a response header line is longer than {_MAX_HEAD_LINE // 1024} KiB"
    elif isinstance(cause, http_exceptions.HttpProcessingError):
        reason = "the response status line or headers are malformed"
    else:
        return None
    return APIResponseValidationError(
        f"{request.method} {request.path}: {reason}; refused, and not retried",
        status_code=0,
        body=None,
        request_id=None,
    )


async def _read_body(resp: aiohttp.ClientResponse) -> bytes:
    length = resp.content_length
    if length is not None and length > MAX_RESPONSE_BYTES:
        raise _too_large(resp)
    if length is not None and "content-encoding" not in resp.headers:
        return await resp.read()
    # Compressed or unsized: count decompressed bytes as they arrive.
    parts = []
    size = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise _too_large(resp)
        parts.append(chunk)
    return b"".join(parts)


def _too_large(resp: aiohttp.ClientResponse) -> APIResponseValidationError:
    resp.close()
    return APIResponseValidationError(
        f"The response body is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB; refused",
        status_code=resp.status,
        body=None,
        request_id=resp.headers.get("x-request-id"),
    )


def _abort_if_unsent(transport: asyncio.Transport) -> None:
    # A server may answer (413, 401) before it has read the whole body and stop reading.
    # aiohttp then closes the connection, and asyncio's close() waits for the unsent bytes to
    # drain, which never happens: the socket would outlive the loop. Nothing more will be
    # written (the body writer is done), so drop those bytes.
    if transport.is_closing() and transport.get_write_buffer_size():
        transport.abort()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _payload(body: bytes | None) -> bytes | io.BytesIO | None:
    # aiohttp warns about (and, when the server answers early, leaks the socket of) raw bytes
    # bodies over 1 MiB; a file-like body is streamed instead. A fresh one for each attempt.
    if body is not None and len(body) > _LARGE_BODY:
        return io.BytesIO(body)
    return body


def _warn_if_unverified(session: aiohttp.ClientSession) -> None:
    connector = session.connector
    if not isinstance(connector, aiohttp.TCPConnector):
        return
    ssl_setting = connector._ssl
    unverified = ssl_setting is False or (
        isinstance(ssl_setting, ssl.SSLContext)
        and (ssl_setting.verify_mode == ssl.CERT_NONE or not ssl_setting.check_hostname)
    )
    if unverified:
        warnings.warn(
            "The aiohttp session passed to AsyncChimeKit does not verify TLS certificates; "
            "the secret key can be intercepted.",
            InsecureTransportWarning,
            stacklevel=4,
        )
