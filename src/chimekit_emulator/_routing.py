"""Routing on the raw request target, one percent-decoded segment at a time.

aiohttp's router matches the decoded path, so ``/members/a%2Fb`` would look like two segments and
``%2E%2E`` like a parent directory. Here the raw path is split on ``/`` first and each segment is
decoded on its own, which is what the API promises: any id travels as exactly one segment.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Generic, TypeVar
from urllib.parse import unquote, urlsplit

from ._reply import ApiError

HandlerT = TypeVar("HandlerT")


def split_target(raw_target: str) -> tuple[list[str], str]:
    """Split a raw request target into its still-encoded path segments and its query string."""
    if not raw_target.startswith("/"):
        # An absolute-form target ("GET http://host/path HTTP/1.1"), as sent to proxies.
        parts = urlsplit(raw_target)
        raw_target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    path, _, query = raw_target.partition("?")
    path = path.partition("#")[0]
    return path.split("/")[1:], query


def decode_segments(raw_segments: Iterable[str]) -> list[str]:
    """Percent-decode each segment as UTF-8.

    Raises:
        ApiError: 400 when a segment does not decode to valid UTF-8.
    """
    decoded = []
    for raw in raw_segments:
        try:
            decoded.append(unquote(raw, encoding="utf-8", errors="strict"))
        except UnicodeDecodeError:
            raise ApiError(
                400, f"path segment {json.dumps(raw)} is not valid percent-encoded UTF-8"
            ) from None
    return decoded


class Router(Generic[HandlerT]):
    """A table of ``(method, template, handler)`` routes matched segment by segment.

    A template is a path such as ``/audience/members/{id}``; a ``{name}`` segment matches any
    non-empty segment and is passed to the handler, in order.

    Args:
        routes: The route table; the first route that matches path and method wins.
    """

    def __init__(self, routes: Iterable[tuple[str, str, HandlerT]]) -> None:
        self._routes = [
            (method, tuple(template.split("/")[1:]), handler)
            for method, template, handler in routes
        ]

    def resolve(
        self, method: str, segments: list[str], shown_path: str
    ) -> tuple[HandlerT, list[str]]:
        """Find the handler for ``method`` on the decoded ``segments``.

        Args:
            method: The request method.
            segments: The decoded path segments.
            shown_path: The path to name in error messages.

        Raises:
            ApiError: 404 when no route has this path, 405 (with ``Allow``) when some route has it
                but not for this method.
        """
        allowed: list[str] = []
        for route_method, template, handler in self._routes:
            params = _match(template, segments)
            if params is None:
                continue
            if route_method == method:
                return handler, params
            if route_method not in allowed:
                allowed.append(route_method)
        if allowed:
            raise ApiError(
                405,
                f"method {method} is not allowed on {shown_path} (allowed: {', '.join(allowed)})",
                {"Allow": ", ".join(allowed)},
            )
        raise ApiError(404, f"no such endpoint: {method} {shown_path}")


def _match(template: tuple[str, ...], segments: list[str]) -> list[str] | None:
    if len(template) != len(segments):
        return None
    params = []
    for pattern, segment in zip(template, segments, strict=True):
        if pattern.startswith("{"):
            if not segment:
                return None
            params.append(segment)
        elif pattern != segment:
            return None
    return params
