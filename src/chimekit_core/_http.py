"""The flavour-free request and response objects that transports exchange with clients.

They are named tuples: immutable like the frozen attrs classes of the public models, and made
several times per call on the hot path, where a tuple is built in a third of the time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

__all__ = [
    "MAX_RESPONSE_BYTES",
    "Exchange",
    "Request",
    "Response",
    "has_header",
    "merge_headers",
    "set_header",
]


MAX_RESPONSE_BYTES = 32 * 1024 * 1024
"""Bodies larger than this (after decompression) are refused: no documented response is near it."""


class Request(NamedTuple):
    """One fully built HTTP request, ready for a transport to send.

    Attributes:
        method: Upper-case HTTP method.
        url: Absolute URL, path already percent-encoded.
        headers: Every header to send, authentication included.
        body: The encoded JSON body, or ``None``.
        path: The path as logged (never contains credentials).
    """

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None
    path: str

    def __repr__(self) -> str:
        # Header names only: a repr ends up in debuggers, tracebacks with locals and error
        # trackers, and the values carry the secret key.
        return f"Request({self.method} {self.path}, headers={sorted(self.headers)})"


class Response(NamedTuple):
    """A complete HTTP response as a transport returns it.

    Attributes:
        status: The HTTP status code.
        headers: Case-insensitive response headers (the transport library's own mapping).
        content: The whole body, already decompressed.
        request: The request this answers (its method and ``Idempotency-Key`` go into
            the error for a body that cannot be read).
    """

    status: int
    headers: Mapping[str, str]
    content: bytes
    request: Request | None = None

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` header, which support needs to find the request."""
        return self.headers.get("x-request-id")


def set_header(headers: dict[str, str], name: str, value: str) -> None:
    """Set ``name`` in ``headers``, replacing a header of that name in any letter case.

    HTTP header names are case-insensitive: ``idempotency-key`` and ``Idempotency-Key``
    are one header, and exactly one of them may go on the wire.
    """
    lowered = name.lower()
    for existing in headers:
        if existing.lower() == lowered:
            del headers[existing]
            break
    headers[name] = value


def merge_headers(headers: dict[str, str], extra: Mapping[str, str]) -> None:
    """Set every header of ``extra`` in ``headers``; names compare case-insensitively."""
    for name, value in extra.items():
        set_header(headers, name, value)


def has_header(headers: Mapping[str, str], name: str) -> bool:
    """Whether ``headers`` has ``name`` (a lower-case name), in any letter case."""
    return any(existing.lower() == name for existing in headers)


class Exchange(NamedTuple):
    """One logical call as the client completed it: the final response and how it got there.

    Attributes:
        response: The 2xx response (its ``request`` is the last attempt's request).
        retries_taken: Retries after the first attempt.
        elapsed: Seconds from the first attempt to the response, backoff included.
    """

    response: Response
    retries_taken: int
    elapsed: float

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` the request carried (every POST has one)."""
        request = self.response.request
        if request is not None:
            for name, value in request.headers.items():
                if name.lower() == "idempotency-key":
                    return value
        return None
