"""The flavour-free request and response objects that transports exchange with clients."""

from __future__ import annotations

from collections.abc import Mapping

import attrs

__all__ = ["Request", "Response"]


@attrs.frozen
class Request:
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


@attrs.frozen
class Response:
    """A complete HTTP response as a transport returns it.

    Attributes:
        status: The HTTP status code.
        headers: Case-insensitive response headers (the transport library's own mapping).
        content: The whole body, already decompressed.
    """

    status: int
    headers: Mapping[str, str]
    content: bytes

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` header, which support needs to find the request."""
        return self.headers.get("x-request-id")
