"""The urllib3 transport: the only module of ``chimekit_sync`` that knows urllib3.

Hand-written (not generated): it sends a core ``chimekit_core._http.Request`` and
returns a core ``chimekit_core._http.Response``, mapping every urllib3 failure to a
core exception. urllib3's own retries and redirects are off: tenacity is the only retry
layer. The body is read one socket read at a time against a deadline, so a server that
drips its body cannot stretch a call past its timeout. The pool is safe to share between
threads, and a child process after ``os.fork()`` (Celery prefork) opens its own.
"""

from __future__ import annotations

import os
import ssl
import threading
import time
import warnings
import weakref
from typing import Any

import urllib3
from urllib3 import Retry
from urllib3.exceptions import (
    DecodeError,
    HTTPError,
    IncompleteRead,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError
from urllib3.util.ssl_ import resolve_cert_reqs

from chimekit_core._converter import instance_builder
from chimekit_core._encoding import MAX_RESPONSE_BYTES
from chimekit_core._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APITimeoutError,
    InsecureTransportWarning,
)
from chimekit_core._http import Request, Response

__all__ = ["SyncTransport"]

_CHUNK = 64 * 1024
_POOL_SIZE = 32
_ENCODING = "content-encoding"
# What retries=False becomes inside urllib3 (Retry.from_int), made once instead of per call.
_NO_RETRIES = Retry(False, redirect=False)
_new_response = instance_builder(Response)
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


class SyncTransport:
    """Sends requests with a urllib3 ``PoolManager``.

    Args:
        pool: A pool the caller owns and closes; otherwise the transport makes its own
            (one per process).
    """

    def __init__(self, pool: urllib3.PoolManager | None = None) -> None:
        self._user_pool = pool
        self._pool: urllib3.PoolManager | None = None
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
                self._pool = urllib3.PoolManager(
                    num_pools=10, maxsize=_POOL_SIZE, block=False, retries=False
                )
            return self._pool

    def _drop_pool_in_child(self) -> None:
        # The parent's sockets are shared with this child: close the child's copies only
        # and start afresh, so the two processes never talk over one connection.
        self._lock = threading.Lock()
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.clear()

    def send(self, request: Request, timeout: float | None) -> Response:
        """Send ``request`` and read the whole response within ``timeout`` seconds.

        Raises:
            APITimeoutError: the request did not complete in time.
            APIConnectionError: the connection failed or the body was cut off.
            APIResponseValidationError: the body is larger than 32 MiB.
        """
        deadline = _Deadline(timeout)
        pool = self._get_pool()
        try:
            # The deadline was set just now: what remains of it is still `timeout`.
            left = timeout
            resp = pool.urlopen(
                request.method,
                request.url,
                body=request.body,
                headers=dict(request.headers),
                retries=_NO_RETRIES,
                redirect=False,
                preload_content=False,
                # A number is Timeout(connect=left, read=left); a Timeout would be cloned.
                timeout=left,
            )
            try:
                content = _read_body(resp, deadline)
            except BaseException:
                resp.close()
                resp.release_conn()
                raise
            resp.release_conn()
            return _new_response(resp.status, resp.headers, content)
        except NewConnectionError as exc:
            # Listed first: urllib3 derives it from ConnectTimeoutError for old callers, but a
            # refused connection or a failed DNS lookup is not a timeout.
            raise APIConnectionError(
                f"{request.method} {request.path}: could not connect ({exc})",
                method=request.method,
                url=request.url,
            ) from None
        except (TimeoutError, Urllib3TimeoutError, ReadTimeoutError):
            raise APITimeoutError(
                f"{request.method} {request.path} timed out after {timeout} s",
                method=request.method,
                url=request.url,
            ) from None
        except (IncompleteRead, ProtocolError, DecodeError) as exc:
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
        """Close the pool this transport made (never a pool the caller passed)."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.clear()


def _read_body(resp: Any, deadline: _Deadline) -> bytes:
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
