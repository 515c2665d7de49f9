"""The one place that turns responses into results or errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar, overload

from ._converter import get_converter
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

__all__ = ["decode_json", "parse_response", "response_parser", "status_error"]

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


_DECODER = json.JSONDecoder()


def _loads(content: bytes) -> Any:
    """``json.loads(content)``, without its encoding detection for the usual UTF-8 object.

    A body starting with ``{`` and no NUL after it is what ``json.loads`` itself would
    decode as UTF-8 (no BOM, not UTF-16/32), so it is decoded the same way, with the same
    ``surrogatepass``; anything else goes through ``json.loads``.
    """
    if content[:1] == b"{" and content[1:2] != b"\x00":
        text = content.decode("utf-8", "surrogatepass")
        data, end = _DECODER.raw_decode(text)  # no leading whitespace: it starts with {
        if end == len(text):
            return data
    return json.loads(content)  # also for trailing whitespace or data, with its own error


def decode_json(response: Response) -> Any:
    """Decode a 2xx body as JSON; an empty body is ``None``.

    Raises:
        APIResponseValidationError: the body is not JSON.
    """
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise _unreadable(response, "the body is not JSON") from None


@overload
def parse_response(response: Response, cast_to: type[T], field: str | None = None) -> T: ...
@overload
def parse_response(response: Response, cast_to: Any, field: str | None = None) -> Any: ...
def parse_response(response: Response, cast_to: Any, field: str | None = None) -> Any:
    """Decode a 2xx body, take ``field`` from the top-level object, and structure it.

    Args:
        response: The 2xx response.
        cast_to: The model (or ``list[Model]``, ``Model | None``, ``str | None``) to build.
        field: The key of the top-level object that holds the value; ``None`` for the body.

    Raises:
        APIResponseValidationError: the body cannot be read as ``cast_to``. For a POST its
            message says the server accepted the request, and it carries the raw body and
            the ``Idempotency-Key`` that was sent, so a retry is not a duplicate.
    """
    return response_parser(cast_to, field)(response)


@functools.cache  # one per (type, field) the SDK reads: a few dozen at most
def response_parser(cast_to: Any, field: str | None = None) -> Callable[[Response], Any]:
    """``parse_response`` for one ``cast_to`` and ``field``, its converter hook found once."""
    hook = get_converter().get_structure_hook(cast_to)

    def parse(response: Response) -> Any:
        try:
            data = _loads(response.content) if response.content else None
            if field is not None:
                if data.__class__ is not dict:
                    raise TypeError(f"expected a JSON object with {field!r}")
                data = data[field]
            return hook(data, cast_to)
        except Exception as exc:  # cattrs and json raise many types; all mean "cannot read it"
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise _unreadable(response, detail) from None

    return parse


def _unreadable(response: Response, detail: str) -> APIResponseValidationError:
    """The error for a 2xx body that cannot be read, saying what a retry would do."""
    request = response.request
    method = idempotency_key = None
    if request is not None:
        method = request.method
        idempotency_key = next(
            (v for k, v in request.headers.items() if k.lower() == "idempotency-key"), None
        )
    if method == "POST":
        resend = (
            f"resend with idempotency_key={idempotency_key!r} to get its result"
            if idempotency_key
            else "check whether it took effect first"
        )
        message = (
            f"The API accepted the request but its response could not be read ({detail}). "
            f"Do not resend it with a new Idempotency-Key, which would carry it out twice; "
            f"{resend}"
        )
    else:
        message = f"The API returned a body that does not match the documented shape ({detail})"
    return APIResponseValidationError(
        message,
        status_code=response.status,
        body=_text(response.content),
        request_id=response.request_id,
        idempotency_key=idempotency_key,
    )


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
