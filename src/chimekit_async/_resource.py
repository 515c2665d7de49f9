"""The base of every resource namespace (``ck.audience``, ``ck.messages``, ...).

A resource method builds its path and body, then calls one of the typed helpers below
with the model it expects (``cast_to``) and, where the API wraps it, the top-level key
(``field``). The helpers send through the client's pipeline (auth, retries, errors) and
parse, so resource modules never touch the client's internals or the converter.

Tracing names a call's span ``chimekit.<_trace_name>.<method>`` without a line in the
resource method: ``_trace_name`` is derived from each subclass's module and class name,
and the method is read from the stack, only when a span is started
(``chimekit_core._tracing.operation_name``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, overload

from chimekit_core._http import Exchange, Response
from chimekit_core._options import RequestOptions
from chimekit_core._responses import response_parser
from chimekit_core._tracing import resource_name

from ._response import APIResponse, raw_response_requested

if TYPE_CHECKING:
    from ._client import AsyncChimeKit

__all__ = ["AsyncAPIResource"]

T = TypeVar("T")
_NONE_TYPE = type(None)


class AsyncAPIResource:
    """Typed ``_get``/``_post``/``_put``/``_delete`` for the resource namespaces.

    Args:
        client: The client whose pipeline the requests go through.
    """

    _trace_name: ClassVar[str] = ""
    """``audience.suppressions`` in span names; set for each subclass unless it sets its own."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__dict__.get("_trace_name"):
            cls._trace_name = resource_name(cls.__module__, cls.__name__)

    def __init__(self, client: AsyncChimeKit) -> None:
        self._client = client

    @overload
    def _get(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = ...,
        nullable: Literal[False] = ...,
        options: RequestOptions,
        params: Mapping[str, Any] | None = ...,
        deadline: float | None = ...,
    ) -> Awaitable[T]: ...
    @overload
    def _get(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = ...,
        nullable: Literal[True],
        options: RequestOptions,
        params: Mapping[str, Any] | None = ...,
        deadline: float | None = ...,
    ) -> Awaitable[T | None]: ...
    def _get(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = None,
        nullable: bool = False,
        options: RequestOptions,
        params: Mapping[str, Any] | None = None,
        deadline: float | None = None,
    ) -> Awaitable[T | None]:
        read = _reader(cast_to, field, nullable)
        return self._client._send(
            "GET", path, options=options, params=params, deadline=deadline, read=read
        )

    def _post(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = None,
        body: Any,
        options: RequestOptions,
        idempotency_key: str | None = None,
    ) -> Awaitable[T]:
        read = _reader(cast_to, field, False)
        return self._client._send(
            "POST", path, body=body, options=options, idempotency_key=idempotency_key, read=read
        )

    @overload
    def _put(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = ...,
        nullable: Literal[False] = ...,
        body: Any,
        options: RequestOptions,
    ) -> Awaitable[T]: ...
    @overload
    def _put(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = ...,
        nullable: Literal[True],
        body: Any,
        options: RequestOptions,
    ) -> Awaitable[T | None]: ...
    def _put(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = None,
        nullable: bool = False,
        body: Any,
        options: RequestOptions,
    ) -> Awaitable[T | None]:
        read = _reader(cast_to, field, nullable)
        return self._client._send("PUT", path, body=body, options=options, read=read)

    @overload
    def _delete(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = ...,
        nullable: Literal[False] = ...,
        options: RequestOptions,
    ) -> Awaitable[T]: ...
    @overload
    def _delete(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = ...,
        nullable: Literal[True],
        options: RequestOptions,
    ) -> Awaitable[T | None]: ...
    def _delete(
        self,
        path: str,
        *,
        cast_to: type[T],
        field: str | None = None,
        nullable: bool = False,
        options: RequestOptions,
    ) -> Awaitable[T | None]:
        read = _reader(cast_to, field, nullable)
        return self._client._send("DELETE", path, options=options, read=read)


@overload
def _reader(
    cast_to: type[T], field: str | None, nullable: Literal[False]
) -> Callable[[Exchange], T]: ...
@overload
def _reader(
    cast_to: type[T], field: str | None, nullable: bool
) -> Callable[[Exchange], T | None]: ...
def _reader(cast_to: Any, field: str | None, nullable: bool) -> Callable[[Exchange], Any]:
    """What turns a call's exchange into its result, made once per shape read.

    The result is the parsed model, or the ``APIResponse`` that ``with_raw_response`` asked
    for.
    """
    return _make_reader(cast_to, field, nullable)


@functools.cache  # one per shape read (model, field, nullable): a few dozen
def _make_reader(cast_to: Any, field: str | None, nullable: bool) -> Callable[[Exchange], Any]:
    parse_body: Callable[[Response], Any] = _nothing
    if cast_to is not _NONE_TYPE:
        parse_body = response_parser(cast_to | None if nullable else cast_to, field)

    def parse(exchange: Exchange) -> Any:
        return parse_body(exchange.response)

    def read(exchange: Exchange) -> Any:
        if raw_response_requested.get():
            return APIResponse(exchange, parse)
        return parse_body(exchange.response)  # parse(), without its call

    return read


def _nothing(response: Response) -> None:
    return None
