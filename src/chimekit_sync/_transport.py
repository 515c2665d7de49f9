"""The urllib3 transport: the only module of ``chimekit_sync`` that knows urllib3.

Hand-written (not generated): it sends a core ``chimekit_core._http.Request`` and
returns a core ``chimekit_core._http.Response``, mapping every urllib3 failure to a
core exception. urllib3's own retries and redirects are off: tenacity is the only retry
layer. Every socket read and write of a request (the CONNECT to a proxy, the request, the
status line, the headers and the body) waits at most for what is left of the call's
deadline, so a server that drips its answer cannot stretch a call past its timeout
(urllib3's own read timeout restarts with every byte). The pool is safe to share between
threads, and a child process after ``os.fork()`` (Celery prefork) opens its own.
"""

from __future__ import annotations

import http.client
import io
import os
import ssl
import threading
import time
import warnings
import weakref
from typing import Any

import urllib3
from urllib3 import Retry
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    DecodeError,
    HeaderParsingError,
    HTTPError,
    IncompleteRead,
    NewConnectionError,
    ProtocolError,
    ProxyError,
    ReadTimeoutError,
)
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util.response import assert_header_parsing
from urllib3.util.ssl_ import resolve_cert_reqs

from chimekit_core._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InsecureTransportWarning,
)
from chimekit_core._http import MAX_RESPONSE_BYTES, Request, Response
from chimekit_core._proxy import Proxy, ProxyResolver

__all__ = ["SyncTransport"]

_CHUNK = 64 * 1024
_POOL_SIZE = 32
_ENCODING = "content-encoding"
# What retries=False becomes inside urllib3 (Retry.from_int), made once instead of per call.
_NO_RETRIES = Retry(False, redirect=False)
# http.client refuses a header line longer than this (``http.client._MAXLINE``).
_MAX_HEADER_LINE = 65536
# TLS certificates trusted by the pools the transport makes; None means the system's. Tests
# set it to a private CA; users who need their own trust pass a configured pool.
_TLS_CONTEXT: ssl.SSLContext | None = None
_live_transports: weakref.WeakSet[SyncTransport] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for transport in list(_live_transports):
        transport._drop_pool_in_child()


os.register_at_fork(after_in_child=_reset_after_fork)


class _Deadline:
    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self.at = None if seconds is None else time.monotonic() + seconds

    def remaining(self) -> float | None:
        if self.at is None:
            return None
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


# -- the deadline of the call, seen by every socket operation --------------------------------
#
# urllib3 calls http.client, which reads the status line and headers through
# ``sock.makefile("rb")`` with one socket timeout per recv(): a server sending a byte just
# within each timeout keeps the call alive indefinitely. The pools the transport makes use
# connection classes whose reads and writes first set the socket's timeout to what is left
# of the current call's deadline, kept in a thread-local (a connection is used by one thread
# at a time, the thread that called ``send``). No thread or timer per request.

_current = threading.local()


def _time_left() -> float | None:
    """Seconds left of the calling thread's deadline; ``TimeoutError`` once it has passed."""
    at: float | None = getattr(_current, "at", None)
    if at is None:
        return None
    left = at - time.monotonic()
    if left <= 0:
        raise TimeoutError("the call's deadline passed")
    return left


class _DeadlineReader(io.RawIOBase):
    """The raw stream under http.client's buffered reader: each recv waits only until the deadline.

    It also notes an end of stream, so that a head cut off by the server is told apart from
    a complete one (http.client takes an EOF in the headers for their end).
    """

    def __init__(self, raw: Any, sock: Any, at: float | None) -> None:
        super().__init__()
        self._raw = raw
        self._sock = sock
        self._at = at
        self.eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        if self._at is not None:
            left = self._at - time.monotonic()
            if left <= 0:
                raise TimeoutError("the call's deadline passed")
            self._sock.settimeout(left)
        result: int | None = self._raw.readinto(buffer)
        if not result:
            self.eof = True
        return result

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _DeadlineSocket:
    """The socket http.client's response sees: ``makefile`` gives a deadline-bound reader."""

    __slots__ = ("_at", "_sock", "reader")

    def __init__(self, sock: Any, at: float | None) -> None:
        self._sock = sock
        self._at = at
        self.reader: _DeadlineReader | None = None

    def makefile(self, mode: str) -> io.BufferedReader:
        raw = self._sock.makefile(mode, buffering=0)  # counted by the socket, as usual
        self.reader = _DeadlineReader(raw, self._sock, self._at)
        return io.BufferedReader(self.reader)


class _MalformedHeaders(http.client.HTTPException):
    """Header lines http.client could not parse (it would otherwise drop them silently)."""


class _DeadlineHTTPResponse(http.client.HTTPResponse):
    """http.client's response (also a proxy's CONNECT answer), reading against the deadline.

    Stricter than http.client, as aiohttp is: a head cut off by the server is a disconnect,
    and header lines that do not parse are an error rather than silently lost.
    """

    def __init__(
        self, sock: Any, debuglevel: int = 0, method: str | None = None, url: str | None = None
    ) -> None:
        self._wrapped = _DeadlineSocket(sock, getattr(_current, "at", None))
        super().__init__(self._wrapped, debuglevel, method, url)  # type: ignore[arg-type]

    def begin(self) -> None:
        super().begin()
        reader = self._wrapped.reader
        if reader is not None and reader.eof:
            # A complete head ends with a blank line, after which http.client reads no
            # further: an end of stream while reading it means the head was cut off.
            raise http.client.RemoteDisconnected("the connection closed within the response head")
        msg = self.msg
        # http.client parks what it could not parse as defects or as a "payload" of the
        # header block; the exact verdict (urllib3's) only when there is something there.
        if msg.defects or msg._payload:  # type: ignore[attr-defined]
            try:
                assert_header_parsing(msg)
            except HeaderParsingError:
                raise _MalformedHeaders("malformed header lines") from None


class _DeadlineMixin:
    sock: Any
    response_class: type[http.client.HTTPResponse] = _DeadlineHTTPResponse

    def send(self, data: Any) -> None:
        # The request line, headers and body: each sendall waits only until the deadline.
        if self.sock is not None:
            left = _time_left()
            if left is not None:
                self.sock.settimeout(left)
        super().send(data)  # type: ignore[misc]

    def _new_conn(self) -> Any:
        sock = super()._new_conn()  # type: ignore[misc]
        # The connect took part of the budget: the TLS handshake gets only the rest. No
        # raise here (the new socket would leak): a spent budget times out the next read.
        at: float | None = getattr(_current, "at", None)
        if at is not None:
            sock.settimeout(max(at - time.monotonic(), 0.001))
        return sock


class _HTTPConnection(_DeadlineMixin, HTTPConnection):
    pass


class _HTTPSConnection(_DeadlineMixin, HTTPSConnection):
    pass


class _HTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOL_CLASSES = {"http": _HTTPConnectionPool, "https": _HTTPSConnectionPool}


class SyncTransport:
    """Sends requests with a urllib3 ``PoolManager`` (a ``ProxyManager`` per proxy).

    Args:
        pool: A pool the caller owns and closes; otherwise the transport makes its own
            (one per process). A caller's pool is used as it is: its own proxy settings
            apply, and ``proxy``/``trust_env`` do not; it keeps urllib3's connection
            classes, so its body is read against the deadline but its status line and
            headers only with urllib3's per-read timeout.
        proxy: The proxy for every request (already checked by ``check_proxy``).
        trust_env: Without ``proxy``, follow ``HTTP(S)_PROXY``/``ALL_PROXY``/``NO_PROXY``.
    """

    def __init__(
        self,
        pool: urllib3.PoolManager | None = None,
        *,
        proxy: Proxy | None = None,
        trust_env: bool = True,
    ) -> None:
        self._user_pool = pool
        self._pool: urllib3.PoolManager | None = None
        self._proxy_pools: dict[Proxy, urllib3.ProxyManager] = {}
        self._origin_pools: dict[str, HTTPConnectionPool] = {}
        self._proxies = ProxyResolver(proxy, trust_env and pool is None)
        self._lock = threading.Lock()
        _live_transports.add(self)
        if pool is not None:
            _warn_if_unverified(pool)

    def _get_pool(self) -> urllib3.PoolManager:
        pool = self._user_pool or self._pool
        if pool is not None:
            return pool
        with self._lock:
            if self._pool is None:
                self._pool = urllib3.PoolManager(**_pool_options())
                self._pool.pool_classes_by_scheme = _POOL_CLASSES
            return self._pool

    def _origin_pool(self, url: str) -> tuple[HTTPConnectionPool, str]:
        """The connection pool of ``url``'s origin, and the request target within it.

        What ``PoolManager.urlopen`` does on every call (parse the URL, normalise a pool key,
        look the pool up), done once per origin: a client talks to one origin, its base_url.
        """
        start = url.find("//") + 2
        end = url.find("/", start)
        if end < 0:
            url, end = url + "/", len(url)
        origin = url[:end]
        pool = self._origin_pools.get(origin)
        if pool is None or pool.pool is None:  # None once closed, e.g. by the PoolManager
            pool = self._get_pool().connection_from_url(origin)
            self._origin_pools[origin] = pool
        return pool, url[end:]

    def _get_proxy_pool(self, proxy: Proxy) -> urllib3.ProxyManager:
        pool = self._proxy_pools.get(proxy)
        if pool is not None:
            return pool
        with self._lock:
            pool = self._proxy_pools.get(proxy)
            if pool is None:
                headers = None
                if proxy.username is not None:
                    auth = f"{proxy.username}:{proxy.password or ''}"
                    headers = urllib3.make_headers(proxy_basic_auth=auth)
                pool = urllib3.ProxyManager(proxy.url, proxy_headers=headers, **_pool_options())
                pool.pool_classes_by_scheme = _POOL_CLASSES
                self._proxy_pools[proxy] = pool
            return pool

    def _drop_pool_in_child(self) -> None:
        # The parent's sockets are shared with this child: close the child's copies only
        # and start afresh, so the two processes never talk over one connection.
        self._lock = threading.Lock()
        self._origin_pools = {}
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.clear()
        proxy_pools, self._proxy_pools = self._proxy_pools, {}
        for proxy_pool in proxy_pools.values():
            proxy_pool.clear()

    def send(self, request: Request, timeout: float | None) -> Response:
        """Send ``request`` and read the whole response within ``timeout`` seconds.

        Raises:
            APITimeoutError: the request did not complete in time.
            APIConnectionError: the connection failed or the body was cut off.
            APIResponseValidationError: the body is larger than 32 MiB.
        """
        deadline = _Deadline(timeout)
        _current.at = deadline.at
        proxy = self._proxies.for_url(request.url) if self._proxies.active else None
        pool: urllib3.PoolManager | HTTPConnectionPool
        if proxy is not None:
            pool, target = self._get_proxy_pool(proxy), request.url
        elif self._user_pool is not None:
            pool, target = self._user_pool, request.url
        else:
            pool, target = self._origin_pool(request.url)
        try:
            resp = pool.urlopen(
                request.method,
                target,
                body=request.body,
                headers=dict(request.headers),
                retries=_NO_RETRIES,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                # The deadline was set just now: what remains of it is still `timeout`.
                # A number is Timeout(connect=t, read=t); a Timeout object would be cloned.
                timeout=timeout,
            )
            try:
                # The pools made here bound each read by the deadline already; a caller's
                # pool is bounded between reads.
                content = _read_body(resp, deadline if pool is self._user_pool else None)
            except BaseException:
                resp.close()
                resp.release_conn()
                raise
            resp.release_conn()
            return Response(resp.status, resp.headers, content, request)
        except ProxyError as exc:
            cause = exc.original_error
            if isinstance(cause, NewConnectionError):
                # Before the timeout check: urllib3 derives it from ConnectTimeoutError.
                raise APIConnectionError(
                    f"{request.method} {request.path}: could not connect to the proxy "
                    f"{proxy.url if proxy else ''} ({_describe(cause.__cause__ or cause)})",
                    method=request.method,
                    url=request.url,
                ) from None
            if isinstance(cause, (TimeoutError, Urllib3TimeoutError)):
                raise _timed_out(request, timeout) from None
            raise APIConnectionError(
                f"{request.method} {request.path}: could not go through the proxy "
                f"{proxy.url if proxy else ''} ({type(cause).__name__}: {cause})",
                method=request.method,
                url=request.url,
            ) from None
        except NewConnectionError as exc:
            # Listed first: urllib3 derives it from ConnectTimeoutError for old callers, but a
            # refused connection or a failed DNS lookup is not a timeout.
            raise APIConnectionError(
                f"{request.method} {request.path}: could not connect ({exc})",
                method=request.method,
                url=request.url,
            ) from None
        except (TimeoutError, Urllib3TimeoutError, ReadTimeoutError):
            raise _timed_out(request, timeout) from None
        except ProtocolError as exc:
            reason = exc.args[-1] if exc.args else None
            if isinstance(reason, TimeoutError):
                raise _timed_out(request, timeout) from None
            refused = _refused_head(request, reason)
            if refused is not None:
                raise refused from None
            raise APIConnectionError(
                f"{request.method} {request.path}: the response was cut off or garbled ({exc})",
                method=request.method,
                url=request.url,
            ) from None
        except (IncompleteRead, DecodeError) as exc:
            raise APIConnectionError(
                f"{request.method} {request.path}: the response was cut off or garbled ({exc})",
                method=request.method,
                url=request.url,
            ) from None
        except (HTTPError, OSError) as exc:
            raise APIConnectionError(
                f"{request.method} {request.path}: connection failed ({type(exc).__name__}: {exc})",
                method=request.method,
                url=request.url,
            ) from None

    def close(self) -> None:
        """Close the pools this transport made (never a pool the caller passed)."""
        self._origin_pools = {}
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.clear()
        proxy_pools, self._proxy_pools = self._proxy_pools, {}
        for proxy_pool in proxy_pools.values():
            proxy_pool.clear()


def _pool_options() -> dict[str, Any]:
    options: dict[str, Any] = {
        "num_pools": 10,
        "maxsize": _POOL_SIZE,
        "block": False,
        "retries": False,
    }
    if _TLS_CONTEXT is not None:
        options["ssl_context"] = _TLS_CONTEXT
    return options


def _describe(exc: BaseException) -> str:
    """``Type: reason``, with the OS's wording for an errno (the same in both flavours)."""
    if isinstance(exc, OSError) and exc.errno:
        return f"{type(exc).__name__}: {os.strerror(exc.errno)}"
    return f"{type(exc).__name__}: {exc}"


def _timed_out(request: Request, timeout: float | None) -> APITimeoutError:
    return APITimeoutError(
        f"{request.method} {request.path} timed out after {timeout} s",
        method=request.method,
        url=request.url,
    )


def _refused_head(request: Request, cause: object) -> APIResponseValidationError | None:
    """The error for a response head http.client refused, or ``None`` for a network fault.

    An oversized or malformed status line or header block comes back the same on every try,
    so it is not a connection error (which would be retried).
    """
    if isinstance(cause, http.client.LineTooLong):
        reason = f"a response header line is longer than {_MAX_HEADER_LINE // 1024} KiB"
    elif isinstance(cause, http.client.RemoteDisconnected | http.client.IncompleteRead):
        return None
    elif isinstance(cause, http.client.BadStatusLine) and not str(cause.args[0]).endswith("\n"):
        return None  # the status line was cut off: a network fault
    elif isinstance(cause, http.client.HTTPException):
        reason = "the response status line or headers are malformed"
    else:
        return None
    return APIResponseValidationError(
        f"{request.method} {request.path}: {reason}; refused, and not retried",
        status_code=0,
        body=None,
        request_id=None,
    )


def _read_body(resp: Any, deadline: _Deadline | None) -> bytes:
    length = resp.length_remaining
    if length is not None and length > MAX_RESPONSE_BYTES:
        raise _too_large(resp)
    # Without a content encoding, a body of known length is complete once that many bytes
    # arrived (urllib3 closes the response on the read that takes the last byte), so the
    # extra read that would return b"" is skipped.
    sized = length is not None and _ENCODING not in resp.headers
    parts = []
    size = 0
    while True:
        if deadline is not None:
            _set_socket_timeout(resp, deadline.remaining())
        chunk = resp.read1(_CHUNK, decode_content=True)
        if not chunk:
            if resp.length_remaining:
                raise IncompleteRead(size, resp.length_remaining)
            break
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise _too_large(resp)
        parts.append(chunk)
        if sized and resp.length_remaining == 0:
            break
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _set_socket_timeout(resp: Any, seconds: float | None) -> None:
    connection = resp.connection
    sock = getattr(connection, "sock", None) if connection is not None else None
    if sock is not None:
        sock.settimeout(seconds)


def _too_large(resp: Any) -> APIResponseValidationError:
    return APIResponseValidationError(
        f"The response body is larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MiB; refused",
        status_code=resp.status,
        body=None,
        request_id=resp.headers.get("x-request-id"),
    )


def _warn_if_unverified(pool: urllib3.PoolManager) -> None:
    options = pool.connection_pool_kw
    cert_reqs = options.get("cert_reqs")
    context = options.get("ssl_context")
    if cert_reqs is None and isinstance(context, ssl.SSLContext):
        mode = context.verify_mode
    else:
        mode = resolve_cert_reqs(cert_reqs)  # None means urllib3's default, CERT_REQUIRED
    if mode == ssl.CERT_NONE or options.get("assert_hostname") is False:
        warnings.warn(
            "The urllib3 pool passed to ChimeKit does not verify TLS certificates; "
            "the secret key can be intercepted.",
            InsecureTransportWarning,
            stacklevel=4,
        )
