# GENERATED from src/chimekit_async/_response.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``APIResponse``: a response you can look into, and the ``with_raw_response`` wrapper.

``ck.messages.with_raw_response.send(...)`` runs the very method ``ck.messages.send``
runs, with one difference: it returns an ``APIResponse`` (status, headers, request id,
retries, timing) whose ``parse()`` gives what the plain method would have returned.
"""

from __future__ import annotations

import contextvars
import datetime
import functools
from collections.abc import Callable, Mapping
from typing import Any, Generic, ParamSpec, TypeVar, cast

from chimekit_core._http import Exchange
from chimekit_core._responses import decode_json

__all__ = ["APIResponse", "to_raw_response"]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

# Set while a ``with_raw_response`` call runs: the resource base then hands back the
# ``APIResponse`` instead of the parsed model (one flag, so every method gains the
# raw form without a second implementation).
raw_response_requested: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "chimekit_raw_response", default=False
)


class APIResponse(Generic[T]):
    """The HTTP response of one call, with the parsed result one ``parse()`` away.

    Returned by ``ck.<resource>.with_raw_response.<method>(...)``.

    Attributes:
        status_code: The HTTP status of the final response.
        headers: The response headers (a case-insensitive mapping).
        request_id: The ``X-Request-Id`` header, which support asks for.
        elapsed: Time from the first attempt to the response, backoff included.
        retries_taken: Retries made after the first attempt.
        idempotency_key: The ``Idempotency-Key`` sent (POST), else ``None``.

    Example:
        >>> raw = ck.messages.with_raw_response.send(  # doctest: +SKIP
        ...     "user_123", content=TemplateContent("tmpl_1")
        ... )
        >>> raw.request_id, (raw.parse()).message.id  # doctest: +SKIP
    """

    def __init__(self, exchange: Exchange, parser: Callable[[Exchange], T]) -> None:
        self._exchange = exchange
        self._parser = parser
        self._parsed: list[T] = []

    def __repr__(self) -> str:
        request = self._exchange.request
        return (
            f"<APIResponse [{self.status_code}] {request.method} {request.path} "
            f"request_id={self.request_id!r}>"
        )

    @property
    def status_code(self) -> int:
        """The HTTP status code."""
        return self._exchange.response.status

    @property
    def headers(self) -> Mapping[str, str]:
        """The response headers; names are case-insensitive."""
        return self._exchange.response.headers

    @property
    def request_id(self) -> str | None:
        """The ``X-Request-Id`` response header."""
        return self._exchange.response.request_id

    @property
    def elapsed(self) -> datetime.timedelta:
        """Time from the first attempt to the final response, backoff included."""
        return datetime.timedelta(seconds=self._exchange.elapsed)

    @property
    def retries_taken(self) -> int:
        """How many retries the call made after its first attempt."""
        return self._exchange.retries_taken

    @property
    def idempotency_key(self) -> str | None:
        """The ``Idempotency-Key`` the request carried (every POST has one)."""
        return self._exchange.idempotency_key

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self._exchange.response.content

    def json(self) -> Any:
        """The body decoded as JSON (``None`` for an empty body).

        Raises:
            APIResponseValidationError: the body is not JSON.
        """
        return decode_json(self._exchange.response)

    def parse(self) -> T:
        """What the plain method returns: the model parsed from the body (done once).

        Raises:
            APIResponseValidationError: the body does not have the documented shape.
        """
        if not self._parsed:
            self._parsed.append(self._parser(self._exchange))
        return self._parsed[0]


def to_raw_response(method: Callable[P, R]) -> Callable[P, APIResponse[R]]:
    """Wrap a resource method so that it returns the ``APIResponse`` of its request."""

    @functools.wraps(method)
    def raw(*args: P.args, **kwargs: P.kwargs) -> APIResponse[R]:
        token = raw_response_requested.set(True)
        try:
            result: Any = method(*args, **kwargs)
        finally:
            raw_response_requested.reset(token)
        return cast("APIResponse[R]", result)

    return raw
