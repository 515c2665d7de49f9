"""The exceptions every chimekit client raises.

One hierarchy serves both flavours, so ``except chimekit_sync.NotFoundError`` and
``except chimekit_async.NotFoundError`` catch the same class::

    ChimeKitError
    ├── APIConnectionError            network failure, reset, DNS, truncated body
    │   └── APITimeoutError           the request did not complete within its timeout
    ├── APIResponseValidationError    a 2xx body that is not the documented JSON
    └── APIStatusError                any non-2xx response
        ├── BadRequestError           400
        ├── AuthenticationError       401
        ├── PermissionDeniedError     403
        ├── NotFoundError             404
        ├── ConflictError             409
        ├── UnprocessableEntityError  422
        ├── RateLimitError            429 (``retry_after``)
        └── InternalServerError       >= 500
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ChimeKitError",
    "ConflictError",
    "InsecureTransportWarning",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class ChimeKitError(Exception):
    """The base class of every error the SDK raises.

    Raised directly for configuration problems, such as a missing secret key; the
    message says what to do about it.

    Every subclass survives ``pickle`` and ``copy.deepcopy`` (a ``ProcessPoolExecutor``
    or Celery hands errors between processes) with its message and all its fields.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors do not pickle by default: rebuild without __init__.
        return (_rebuild_error, (type(self), self.args, dict(self.__dict__)))


class APIConnectionError(ChimeKitError):
    """The request did not get a complete response: refused, reset, DNS, TLS or a cut-off body.

    Raised after the retries ran out. ``method`` and ``url`` name the request that failed.
    """

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url


class APITimeoutError(APIConnectionError):
    """The request did not complete within its timeout."""


class APIResponseValidationError(ChimeKitError):
    """A successful (2xx) response whose body is not the JSON the API documents.

    For a POST the server accepted the request: do not resend it with a new
    ``Idempotency-Key`` (it would be carried out twice); resend with ``idempotency_key``.

    Attributes:
        status_code: The HTTP status of the response.
        body: The raw body (decoded as text where possible).
        request_id: The ``X-Request-Id`` of the response, if any.
        idempotency_key: The ``Idempotency-Key`` the request was sent with, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: object,
        request_id: str | None,
        idempotency_key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.idempotency_key = idempotency_key

    def __str__(self) -> str:
        return _with_request_id(f"{self.message} (HTTP {self.status_code})", self.request_id)


class APIStatusError(ChimeKitError):
    """The API answered with a non-2xx status.

    Attributes:
        status_code: The HTTP status code.
        message: The ``error`` field of the JSON body, or a summary of a non-JSON body.
        body: The parsed JSON body, or the body text when it is not JSON.
        request_id: The ``X-Request-Id`` response header; quote it to support.
        response_headers: The response headers, names lower-cased.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        body: object = None,
        request_id: str | None = None,
        response_headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.request_id = request_id
        self.response_headers: Mapping[str, str] = dict(response_headers or {})

    def __str__(self) -> str:
        return _with_request_id(f"Error code: {self.status_code} - {self.message}", self.request_id)


class BadRequestError(APIStatusError):
    """400: the request was malformed or a field is invalid; ``message`` names it."""


class AuthenticationError(APIStatusError):
    """401: the secret key or token is missing, wrong or expired."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but may not do this."""


class NotFoundError(APIStatusError):
    """404: the member, message, run or suppression does not exist."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state."""


class UnprocessableEntityError(APIStatusError):
    """422: for example an ``Idempotency-Key`` reused with a different body."""


class RateLimitError(APIStatusError):
    """429: too many requests.

    Attributes:
        retry_after: Seconds the server asked to wait (from ``Retry-After`` or
            ``retry-after-ms``), or ``None``. A Celery task can hand it on:
            ``raise self.retry(countdown=exc.retry_after)``.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int = 429,
        body: object = None,
        request_id: str | None = None,
        response_headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(
            message,
            status_code=status_code,
            body=body,
            request_id=request_id,
            response_headers=response_headers,
        )
        self.retry_after = retry_after


class InsecureTransportWarning(UserWarning):
    """The HTTP session or pool handed to a client does not verify TLS certificates."""


class InternalServerError(APIStatusError):
    """A 5xx status: the server failed; retried automatically before it reaches you."""


def _with_request_id(text: str, request_id: str | None) -> str:
    return f"{text} (request id: {request_id})" if request_id else text


def _rebuild_error(
    cls: type[ChimeKitError], args: tuple[Any, ...], state: dict[str, Any]
) -> ChimeKitError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error
