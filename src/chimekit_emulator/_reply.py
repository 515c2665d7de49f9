"""Replies as plain data, the API's error type, and request-body parsing.

Handlers return a ``Reply`` instead of an aiohttp response so that a reply can be stored for
idempotent replays, written to the socket in pieces by a fault, or dropped after the commit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # aiohttp loads only when a server runs, so the CLI's usage errors are quick
    from aiohttp import web

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def encode_json(payload: Any) -> bytes:
    """Serialise ``payload`` as compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True, slots=True)
class Reply:
    """A complete HTTP response: status, headers and body bytes."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
        """A JSON reply."""
        return cls(
            status, encode_json(payload), {"Content-Type": JSON_CONTENT_TYPE, **(headers or {})}
        )

    @property
    def ok(self) -> bool:
        """Whether the status is 2xx."""
        return 200 <= self.status < 300

    def with_headers(self, extra: Mapping[str, str]) -> Reply:
        """The same reply with ``extra`` headers added (replacing same-named ones)."""
        return Reply(self.status, self.body, {**self.headers, **extra})

    def to_response(self) -> web.Response:
        """An aiohttp response that sends this reply whole."""
        from aiohttp import web

        return web.Response(status=self.status, body=self.body, headers=dict(self.headers))


class ApiError(Exception):
    """Raised by handlers to answer with ``{"error": message}``.

    Args:
        status: The HTTP status.
        message: The ``error`` text; name the offending field so users can fix the request.
        headers: Extra response headers (``Allow`` on a 405, ``WWW-Authenticate`` on a 401).
    """

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def reply(self) -> Reply:
        """The error as a JSON reply."""
        return Reply.json(self.status, {"error": self.message}, self.headers)


def parse_json_object(body: bytes) -> dict[str, Any]:
    """Parse a request body that must be a JSON object.

    Raises:
        ApiError: 400 when the body is empty, not UTF-8, not JSON, or not an object.
    """
    if not body.strip():
        raise ApiError(400, "request body must be a JSON object (got an empty body)")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "request body is not valid UTF-8") from None
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError as exc:
        raise ApiError(400, f"malformed JSON body: {exc}") from None
    if not isinstance(value, dict):
        raise ApiError(400, "request body must be a JSON object")
    # Valid UTF-8 holds no surrogates: a lone one can only come from a \u escape, so only a
    # body with one is encoded again to find out (the common body is not: half the CPU here).
    if "\\u" in text:
        try:
            encode_json(value)
        except UnicodeEncodeError:
            raise ApiError(
                400, "request body has a lone surrogate (\\ud800-\\udfff) escape"
            ) from None
    return value


async def read_body(request: web.BaseRequest) -> bytes:
    """The whole request body.

    Raises:
        ApiError: 413 when it is larger than the application's ``client_max_size``.
    """
    from aiohttp import web

    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(
            413, f"request body is larger than {request.client_max_size} bytes"
        ) from None
