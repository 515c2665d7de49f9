"""The one place that turns responses into results or errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from ._converter import _hooks, structure_hook
from ._exceptions import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
)
from ._http import Response
from ._retry import retry_after_seconds

__all__ = ["decode_json", "parse_field", "status_error"]

T = TypeVar("T")

_ERRORS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
_MAX_MESSAGE_CHARS = 500
# The scanner of json.loads' own default decoder settings.
_scan_once: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_OPENERS = frozenset(b"{[")
_UNDECODED: Any = object()


def _decode_usual(content: bytes) -> Any:
    """A UTF-8 JSON object or array body decoded, or ``_UNDECODED`` for anything else.

    What json.loads(bytes) does for UTF-8, without its encoding detection and whitespace
    regexes. A body starting with "{" or "[" has no BOM; if it is UTF-16/32 its second
    byte is NUL, which JSON cannot have there, so it fails here and, like anything unusual
    (trailing whitespace, an error), is left to json.loads' own path.
    """
    if content and content[0] in _OPENERS:
        try:
            text = content.decode("utf-8", "surrogatepass")
            value, end = _scan_once(text, 0)
        except (StopIteration, ValueError):
            return _UNDECODED
        if end == len(text):
            return value
    return _UNDECODED


def decode_json(response: Response) -> Any:
    """Decode a 2xx body as JSON; an empty body is ``None``.

    Raises:
        APIResponseValidationError: the body is not JSON.
    """
    content = response.content
    if not content:
        return None
    value = _decode_usual(content)
    if value is not _UNDECODED:
        return value
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise APIResponseValidationError(
            "The API returned a body that is not JSON",
            status_code=response.status,
            body=_text(response.content),
            request_id=response.request_id,
        ) from None


def parse_field(response: Response, field: str | None, cls: Any) -> Any:
    """Decode the body, take ``field`` from the top-level object and structure it as ``cls``.

    Raises:
        APIResponseValidationError: the body does not have the documented shape.
    """
    data = _decode_usual(response.content)
    if data is _UNDECODED:
        data = decode_json(response)
    try:
        if field is not None:
            if data.__class__ is not dict and not isinstance(data, dict):
                raise TypeError(f"expected a JSON object with {field!r}")
            data = data[field]
        hook = _hooks.get(cls) or structure_hook(cls)
        return hook(data, cls)
    except Exception as exc:  # cattrs raises many types; all mean "not the documented shape"
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise APIResponseValidationError(
            f"The API returned a body that does not match the documented shape ({detail})",
            status_code=response.status,
            body=data,
            request_id=response.request_id,
        ) from None


def status_error(response: Response) -> APIStatusError:
    """Build the typed error for a non-2xx response (an HTML error page included)."""
    body: object
    message: str
    try:
        body = json.loads(response.content) if response.content else None
    except (ValueError, UnicodeDecodeError):
        body = _text(response.content)
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        message = body["error"]
    elif isinstance(body, str) and body.strip():
        message = _summary(body)
    else:
        message = f"HTTP {response.status}"
    headers = {name.lower(): value for name, value in response.headers.items()}
    status = response.status
    if status == 429:
        return RateLimitError(
            message,
            status_code=status,
            body=body,
            request_id=response.request_id,
            response_headers=headers,
            retry_after=retry_after_seconds(response.headers),
        )
    cls = _ERRORS_BY_STATUS.get(status)
    if cls is None:
        cls = InternalServerError if status >= 500 else APIStatusError
    if 300 <= status < 400:
        location = response.headers.get("location")
        message = f"HTTP {status} redirect to {location!r} not followed" if location else message
    return cls(
        message,
        status_code=status,
        body=body,
        request_id=response.request_id,
        response_headers=headers,
    )


def _text(content: bytes) -> str:
    return content.decode("utf-8", errors="replace")


def _summary(text: str) -> str:
    flat = " ".join(text.split())
    if len(flat) > _MAX_MESSAGE_CHARS:
        flat = flat[:_MAX_MESSAGE_CHARS] + "..."
    return flat
