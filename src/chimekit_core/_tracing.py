"""Optional OpenTelemetry spans, one per logical call (``pip install chimekit[otel]``).

Flavour-free: what a span is named, which attributes and events it carries, how trace
context goes on the wire, and what is kept out of it (the secret key, tokens). The
clients' pipelines call in here only when ``opentelemetry-api`` could be imported, which
is tried once per process when the first client is built; without it a call pays one
attribute check and nothing is imported. With the API installed but no SDK configured
(the API's default no-op provider) a call pays one more check and starts no span.

A span covers a call's attempts, retries, backoff and token refresh:

- name ``chimekit.<resource>.<method>`` (``chimekit.messages.send``,
  ``chimekit.audience.suppressions.add``; each page of a paginator is a call of its
  method, e.g. ``chimekit.messages.list_for_member``), ``chimekit.request`` for the raw
  ``request()``; kind ``CLIENT``;
- attributes of the HTTP client semantic conventions (``http.request.method``,
  ``server.address``, ``server.port``, ``url.full``, ``http.response.status_code``,
  ``error.type``) and ``chimekit.request_id``, ``chimekit.idempotency_key``,
  ``chimekit.retries``;
- a ``chimekit.attempt`` event per attempt (its number, its outcome, the status or error,
  and the backoff before the next attempt);
- on failure, status ``ERROR`` and an ``exception`` event, with any credential scrubbed.
"""

from __future__ import annotations

import functools
import os
import traceback
from types import FrameType
from typing import TYPE_CHECKING, Any

from ._http import Request, Response, set_header
from ._version import __version__

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.trace import Span, Tracer, TracerProvider

__all__ = ["CallTrace", "available", "operation_name", "resource_name", "tracer"]

INSTRUMENTATION_NAME = "chimekit"
RAW_REQUEST_OPERATION = "chimekit.request"
REDACTED = "[REDACTED]"

_UNRESOLVED: Any = object()
_api: Any = _UNRESOLVED  # the `_Api` once resolved; None when opentelemetry is not importable
_tracer_for: tuple[Any, Any] = (None, None)  # (provider, its tracer), rebuilt if it changes


class _Api:
    """The few opentelemetry-api entry points the pipeline uses, imported once."""

    def __init__(self) -> None:
        from opentelemetry import context, trace

        self.trace = trace
        self.context = context
        self.client_kind = trace.SpanKind.CLIENT
        self.proxy_provider_type = trace.ProxyTracerProvider
        # get_tracer_provider() looks up this variable on each call while no provider is set
        # (microseconds); with it unset, a None global provider means "no SDK", read directly.
        self.provider_from_env = "OTEL_PYTHON_TRACER_PROVIDER" in os.environ


def available() -> bool:
    """Whether ``opentelemetry-api`` can be imported (tried once per process).

    Clients call this when they are built and keep the answer, so a process without
    opentelemetry pays one failed import in all.
    """
    global _api
    if _api is _UNRESOLVED:
        try:
            _api = _Api()
        except ImportError:
            _api = None
    return _api is not None


def tracer() -> Tracer | None:
    """The chimekit tracer of the global provider; ``None`` while no SDK is configured.

    Only called once ``available()`` said yes. Checked on every call, so a provider
    configured after the client was built is picked up.
    """
    global _tracer_for
    api = _api
    # The global the API's set_tracer_provider() sets; read directly because this runs on
    # every call. If a future API drops it, get_tracer_provider() answers instead.
    provider: TracerProvider | None = getattr(api.trace, "_TRACER_PROVIDER", _UNRESOLVED)
    if provider is None and not api.provider_from_env:
        return None
    if provider is None or provider is _UNRESOLVED:
        provider = api.trace.get_tracer_provider()
    cached_provider, cached_tracer = _tracer_for
    if provider is cached_provider:
        cached: Tracer = cached_tracer
        return cached
    if isinstance(provider, api.proxy_provider_type):
        return None  # the API's default: every span would be a no-op, so start none
    made = provider.get_tracer(INSTRUMENTATION_NAME, __version__)
    _tracer_for = (provider, made)
    return made


def resource_name(module: str, class_name: str) -> str:
    """The ``<resource>`` part of span names for a resource class.

    The module names the top-level resource and the class a nested one:
    ``chimekit_async._messages.AsyncMessages`` is ``messages``,
    ``chimekit_sync._audience.Suppressions`` is ``audience.suppressions``.
    """
    top = module.rpartition(".")[2].lstrip("_")
    name = class_name.removeprefix("Async").lower()
    return top if name == top else f"{top}.{name}"


def operation_name(caller: FrameType) -> str:
    """The span name of a call, from the frame that called the client's ``_send``.

    When that frame belongs to a resource (it has a ``self`` with a ``_trace_name``),
    the operation is the nearest public function up the stack: the resource method that
    called a private helper such as ``_get`` (for a paginator's page fetcher,
    ``list_for_member.<locals>.fetch``, the method that defined it). Anything else is
    the raw ``request()``.
    """
    owner = caller.f_locals.get("self")
    prefix = getattr(owner, "_trace_name", None)
    if not isinstance(prefix, str) or not prefix:
        return RAW_REQUEST_OPERATION
    frame: FrameType | None = caller
    while frame is not None and frame.f_code.co_name.startswith("_"):
        frame = frame.f_back
    if frame is None:  # pragma: no cover - a resource method always calls the helper
        return f"chimekit.{prefix}"
    parts = frame.f_code.co_qualname.split(".")
    method = parts[parts.index("<locals>") - 1] if "<locals>" in parts else parts[-1]
    return f"chimekit.{prefix}.{method}"


def _url_attributes(url: str) -> dict[str, Any]:
    scheme, _, rest = url.partition("://")
    netloc, slash, path = rest.partition("/")
    address, port, shown = _server(scheme, netloc)
    return {
        "server.address": address,
        "server.port": port,
        "url.full": f"{scheme}://{shown}{slash}{path}",
    }


@functools.lru_cache(maxsize=64)
def _server(scheme: str, netloc: str) -> tuple[str, int, str]:
    """Host, port and the netloc to show (credentials replaced, as the conventions ask)."""
    _userinfo, at, hostport = netloc.rpartition("@")
    shown = f"REDACTED:REDACTED@{hostport}" if at else netloc
    host, port = hostport, 443 if scheme == "https" else 80
    if hostport.startswith("["):  # an IPv6 literal: [::1]:8080
        bracket = hostport.index("]")
        host = hostport[1:bracket]
        if hostport[bracket + 1 : bracket + 2] == ":":
            port = int(hostport[bracket + 2 :])
    elif ":" in hostport:
        host, _, number = hostport.rpartition(":")
        port = int(number)
    return host.lower(), port, shown


def _secrets(headers: Any) -> tuple[str, ...]:
    """Every credential the request carries: the Authorization value and its token."""
    found: list[str] = []
    for name, value in headers.items():
        if name.lower() == "authorization" and value:
            found.append(value)
            _scheme, _, token = value.partition(" ")
            if token.strip():
                found.append(token.strip())
    return tuple(sorted(found, key=len, reverse=True))


def _error_type(exc: BaseException) -> str:
    """The failure's fully qualified class name, as the conventions ask.

    chimekit's exceptions carry their public package: ``chimekit_core.NotFoundError``.
    """
    cls = type(exc)
    if cls.__module__ == "builtins":
        return cls.__qualname__
    return f"{cls.__module__}.{cls.__qualname__}"


class CallTrace:
    """The span of one logical call while its attempts run.

    Made by ``start`` (which also makes the span current, for spans of instrumented
    libraries underneath) and ended by exactly one of ``succeeded`` or ``failed``, on
    the same task or thread that started it.
    """

    __slots__ = ("_attempts", "_secrets", "_span", "_token")

    def __init__(self, span: Span, secrets: tuple[str, ...], token: object) -> None:
        self._span = span
        self._secrets = secrets
        self._token = token
        self._attempts = 0

    @classmethod
    def start(
        cls, tracer: Tracer, caller: FrameType, request: Request
    ) -> tuple[CallTrace, Request]:
        """Start the span of a call and return it with the request to send.

        The returned request carries the trace context (``traceparent``, ``tracestate``,
        ``baggage``: whatever the globally configured propagator writes).

        Args:
            tracer: From ``tracer()``.
            caller: The frame that called ``_send``, to name the operation.
            request: The request as the pipeline built it.
        """
        from opentelemetry import propagate  # here: only processes that record spans load it

        api = _api
        secrets = _secrets(request.headers)
        attributes: dict[str, Any] = {"http.request.method": request.method}
        attributes.update(_url_attributes(request.url))
        if secrets:
            attributes["url.full"] = _scrub(attributes["url.full"], secrets)
        for name, value in request.headers.items():
            if name.lower() == "idempotency-key":
                attributes["chimekit.idempotency_key"] = value
        span = tracer.start_span(
            operation_name(caller),
            kind=api.client_kind,
            attributes=attributes,
            record_exception=False,
            set_status_on_exception=False,
        )
        context: Context = api.trace.set_span_in_context(span)
        token = api.context.attach(context)
        carrier: dict[str, str] = {}
        propagate.inject(carrier, context=context)
        if carrier:
            headers = dict(request.headers)
            for name, value in carrier.items():
                set_header(headers, name, value)
            request = Request(request.method, request.url, headers, request.body, request.path)
        return cls(span, secrets, token), request

    def _attempt(self, outcome: str, **attributes: Any) -> None:
        self._attempts += 1
        event: dict[str, Any] = {
            "chimekit.attempt.number": self._attempts,
            "chimekit.attempt.outcome": outcome,
        }
        event.update(attributes)
        self._span.add_event("chimekit.attempt", event)

    def _failure(self, exc: BaseException) -> dict[str, Any]:
        attributes: dict[str, Any] = {"error.type": _error_type(exc)}
        status = getattr(exc, "status_code", None)
        if isinstance(status, int):
            attributes["http.response.status_code"] = status
        return attributes

    def retrying(self, exc: BaseException | None, backoff: float) -> None:
        """Record a failed attempt that will be retried after ``backoff`` seconds."""
        attributes = self._failure(exc) if exc is not None else {}
        self._attempt("retry", **attributes, **{"chimekit.attempt.backoff_s": backoff})

    def reauthenticating(self, exc: BaseException) -> None:
        """Record a 401 attempt that is sent again with a fresh token."""
        self._attempt("reauthenticate", **self._failure(exc))

    def succeeded(self, response: Response, retries: int) -> None:
        """Record the final, successful attempt and end the span."""
        span = self._span
        try:
            self._attempt("success", **{"http.response.status_code": response.status})
            span.set_attribute("http.response.status_code", response.status)
            span.set_attribute("chimekit.retries", retries)
            request_id = response.request_id
            if request_id is not None:
                span.set_attribute("chimekit.request_id", request_id)
        finally:
            self._end()

    def failed(self, exc: BaseException, retries: int, request: Request) -> None:
        """Record the failure that ends the call (or its cancellation) and end the span.

        ``request`` is the last one sent: after a token refresh its token is scrubbed too.
        """
        span = self._span
        secrets = tuple(sorted({*self._secrets, *_secrets(request.headers)}, key=len, reverse=True))
        try:
            if not isinstance(exc, Exception):
                # Cancelled (a prefetched page nobody wants) or interrupted: not an error
                # of the call, so no ERROR status.
                span.add_event("chimekit.cancelled", {"exception.type": _error_type(exc)})
                return
            attributes = self._failure(exc)
            self._attempt("error", **attributes)
            span.set_attributes(attributes)
            span.set_attribute("chimekit.retries", retries)
            request_id = getattr(exc, "request_id", None)
            if isinstance(request_id, str):
                span.set_attribute("chimekit.request_id", request_id)
            message = _scrub(str(exc), secrets)
            stack = _scrub("".join(traceback.format_exception(exc)), secrets)
            span.add_event(
                "exception",
                {
                    "exception.type": attributes["error.type"],
                    "exception.message": message,
                    "exception.stacktrace": stack,
                },
            )
            span.set_status(_api.trace.Status(_api.trace.StatusCode.ERROR, message))
        finally:
            self._end()

    def _end(self) -> None:
        self._span.end()
        _api.context.detach(self._token)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text
