# GENERATED from src/chimekit_async/_client.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``ChimeKit``: configuration, the request pipeline and the resource namespaces.

Every call goes through ``ChimeKit._send``: build the request (core), send it
once, and only after a retryable failure enter tenacity's retry loop with the core
``chimekit_core.RetryPolicy``. One ``Idempotency-Key`` serves every attempt of a
POST, so a retried send is never delivered twice.
"""

from __future__ import annotations

import copy
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any, Generic, Self, TypeVar, Unpack
from urllib.parse import urlencode

import attrs

from chimekit_core import _tracing
from chimekit_core._config import DEFAULT_BASE_URL, ClientConfig, user_agent
from chimekit_core._encoding import encode_json
from chimekit_core._exceptions import APITimeoutError, AuthenticationError, ChimeKitError
from chimekit_core._http import (
    Exchange,
    Request,
    Response,
    has_header,
    merge_headers,
    set_header,
)
from chimekit_core._logging import LOGGER, setup_from_env
from chimekit_core._options import NOT_GIVEN, NotGiven, RequestOptions
from chimekit_core._proxy import check_proxy
from chimekit_core._responses import decode_json, status_error
from chimekit_core._retry import DeadlineExceeded, RetryPolicy
from chimekit_core._validation import (
    check_headers,
    check_max_retries,
    check_retry_policy,
    check_timeout,
    checked_default_headers,
)

from ._audience import Audience
from ._concurrency import FLAVOUR, resolve, warn_if_loop_running
from ._messages import Messages
from ._workflows import Workflows

if TYPE_CHECKING:
    import tenacity
    import urllib3
    from opentelemetry.trace import Tracer

    from ._transport import SyncTransport

__all__ = ["ChimeKit"]

T = TypeVar("T")

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


class ChimeKit:
    """The synchronous ChimeKit client.

    Args:
        secret_key: Your secret key; defaults to the ``CHIMEKIT_SECRET_KEY`` environment
            variable.
        base_url: The API root; defaults to ``CHIMEKIT_BASE_URL``, then
            ``https://api.chimekit.com/sdk/v1``. ``http://`` is accepted for loopback
            hosts only (the emulator).
        timeout: Seconds for each request as a whole (connect, send, status line, headers,
            body); ``None`` for no limit. Override per call with ``timeout=``.
        max_retries: Retries after the first try for retryable failures; override per
            call with ``max_retries=``.
        token_provider: A callable returning a short-lived token, used
            instead of ``secret_key``; asked for each call and once more after a 401.
        default_headers: Headers sent with every request.
        pool: A ``urllib3.PoolManager`` you own (and close); by default the client
            manages its own, one per process (a forked child makes a new one).
        retry: How failures are retried (``RetryPolicy``); ``max_retries`` other than its
            default of 2 overrides ``retry.max_retries``.
        proxy: A forward proxy for every request, ``http://[user:pass@]host:port`` (or
            ``https://``); https requests go through a CONNECT tunnel, so the proxy never
            sees the key. Not combinable with your own session/pool: configure its proxy.
        trust_env: Without ``proxy``, follow the ``HTTPS_PROXY``, ``HTTP_PROXY``,
            ``ALL_PROXY`` and ``NO_PROXY`` environment variables (read on first use), as
            requests and httpx do; a loopback host, such as the emulator's, goes through the
            proxy too unless ``NO_PROXY`` lists it. ``False`` ignores them.

    Raises:
        ChimeKitError: no credentials were found, or ``base_url`` would send them in clear
            text.
        ValueError: ``proxy`` is not an http(s) URL with a host, or comes with your own
            session/pool.
        TypeError: ``proxy`` is not a string, or ``trust_env`` not a bool.

    Example:
        >>> with ChimeKit() as ck:  # doctest: +SKIP
        ...     member = ck.audience.identify("user_123", display_name="Ava")
    """

    audience: Audience
    """Audience members and their suppressions."""
    messages: Messages
    """Sending messages and reading message history."""
    workflows: Workflows
    """Running workflows and following their runs."""

    def __init__(
        self,
        secret_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = 30.0,
        max_retries: int = 2,
        token_provider: Callable[[], str] | None = None,
        default_headers: Mapping[str, str] | None = None,
        pool: urllib3.PoolManager | None = None,
        retry: RetryPolicy | None = None,
        proxy: str | None = None,
        trust_env: bool = True,
    ) -> None:
        setup_from_env()
        self._proxy = check_proxy(proxy)
        if self._proxy is not None and pool is not None:
            raise ValueError(
                "proxy cannot be combined with your own session/pool; configure the proxy on it"
            )
        if not isinstance(trust_env, bool):
            raise TypeError(f"trust_env must be a bool, got {type(trust_env).__name__}")
        self._trust_env = trust_env
        config = ClientConfig.resolve(
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            token_provider=token_provider,
            default_headers=default_headers,
        )
        self._pool_arg = pool
        self._shared = _SharedTransport()
        self._owns_transport = True
        self._configure(config, _retry_policy(retry, max_retries, explicit=max_retries != 2))
        if pool is not None:
            self._shared.transport = self._make_transport()

    def _configure(self, config: ClientConfig, retry: RetryPolicy) -> None:
        self._config = config
        self._retry_policy = retry
        self._base_headers: dict[str, str] = {
            "Accept": "application/json",
            "User-Agent": user_agent(FLAVOUR),
        }
        merge_headers(self._base_headers, config.default_headers)
        self._default_authorization = has_header(config.default_headers, "authorization")
        self._default_idempotency_key = has_header(config.default_headers, "idempotency-key")
        self._static_auth = None if config.secret_key is None else f"Bearer {config.secret_key}"
        # The whole header set of a call without a body or extra headers, when it never changes.
        self._static_headers: dict[str, str] | None = None
        if self._default_authorization:
            self._static_headers = self._base_headers
        elif self._static_auth is not None:
            self._static_headers = {**self._base_headers, "Authorization": self._static_auth}
        self._closed = False
        self._loop_check = True
        self._tracing = _tracing.available()  # tried once per process; False: no OpenTelemetry
        self.audience = Audience(self)
        self.messages = Messages(self)
        self.workflows = Workflows(self)

    def with_options(
        self,
        *,
        timeout: float | NotGiven | None = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        default_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
        retry: RetryPolicy | NotGiven = NOT_GIVEN,
    ) -> Self:
        """A copy of this client with other options, sharing its connection pool.

        Options left out keep this client's values; ``default_headers`` are merged over
        this client's (names compare case-insensitively). Closing the copy closes nothing
        of this client; closing this client closes the pool the copies share.

        Args:
            timeout: Seconds for each request as a whole; ``None`` for no limit.
            max_retries: Retries after the first try (overrides ``retry.max_retries``).
            default_headers: Headers added to every request of the copy.
            retry: The retry policy of the copy.

        Raises:
            ValueError: an option is out of range.
            TypeError: an option has the wrong type.

        Example:
            >>> patient = ck.with_options(timeout=120, max_retries=5)  # doctest: +SKIP
        """
        config = self._config
        changes: dict[str, Any] = {}
        if timeout is not NOT_GIVEN:
            changes["timeout"] = check_timeout(timeout)
        if default_headers is not NOT_GIVEN:
            headers = dict(config.default_headers)
            merge_headers(headers, checked_default_headers(default_headers))
            changes["default_headers"] = headers
        policy = self._retry_policy
        if retry is not NOT_GIVEN:
            policy = check_retry_policy(retry)
        if max_retries is not NOT_GIVEN:
            policy = attrs.evolve(policy, max_retries=check_max_retries(max_retries))
        clone = copy.copy(self)
        clone._owns_transport = False
        clone._configure(attrs.evolve(config, **changes), policy)
        return clone

    @property
    def base_url(self) -> str:
        """The API root this client talks to."""
        return self._config.base_url

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._config.base_url!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections the client opened; a pool you passed is left open.

        The client cannot be used afterwards. Calling ``close()`` twice is harmless.
        """
        self._closed = True
        transport = self._shared.transport
        if transport is not None and self._owns_transport:
            transport.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, str | int | float | bool] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Any:
        """Call any endpoint under ``base_url`` with the client's auth, retries and errors.

        For endpoints this SDK has no method for yet. ``path`` is sent as given (encode
        ids in it yourself); it must start with ``/`` and stay under ``base_url``.

        Args:
            method: ``GET``, ``POST``, ``PUT``, ``PATCH`` or ``DELETE``.
            path: The path below ``base_url``, e.g. ``"/audience/members/user_123"``.
            json: A JSON-serialisable body.
            params: Query parameters.
            **options: ``timeout``, ``max_retries``, ``extra_headers``.

        Returns:
            The decoded JSON body (``None`` for an empty body).

        Raises:
            ValueError: a bad method or path.
            APIStatusError: the API answered with an error status.
            APIConnectionError: the request did not get a complete response.
        """
        verb = method.upper() if isinstance(method, str) else method
        if verb not in _METHODS:
            raise ValueError(f"method must be one of {sorted(_METHODS)}, got {method!r}")
        _check_raw_path(path)
        return self._send(
            verb,
            path,
            body=json,
            params=params,
            options=options,
            json_body=json is not None,
            read=_decoded_json,
        )

    # -- the pipeline ---------------------------------------------------------------------

    def _make_transport(self) -> SyncTransport:
        from ._transport import SyncTransport

        return SyncTransport(self._pool_arg, proxy=self._proxy, trust_env=self._trust_env)

    def _get_transport(self) -> SyncTransport:
        # Made on first use so that building a client imports no HTTP stack; the lock keeps
        # threads sharing a sync client from each making (and leaking) a pool. Copies made
        # by with_options share the holder, and so the pool.
        shared = self._shared
        transport = shared.transport
        if transport is None:
            with shared.lock:
                if shared.transport is None:
                    shared.transport = self._make_transport()
                transport = shared.transport
        return transport

    def _send(
        self,
        method: str,
        path: str,
        *,
        options: RequestOptions,
        read: Callable[[Exchange], T],
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        json_body: bool | None = None,
        deadline: float | None = None,
    ) -> T:
        """Check and build one logical call; awaiting what it returns makes the call.

        The call is the first try, retries, and one re-authentication after a 401; ``read``
        turns its exchange into the result. Bad arguments raise here, before anything is
        sent. ``deadline`` (a ``time.monotonic()`` value) bounds the whole call, retries and
        backoff included: no attempt outlives it and no retry starts after it.
        """
        if self._closed:
            raise ChimeKitError("This client was closed; create a new client to make requests.")
        if self._loop_check:
            self._loop_check = warn_if_loop_running(type(self).__name__)
        if options:
            timeout = (
                check_timeout(options["timeout"]) if "timeout" in options else self._config.timeout
            )
            max_retries = (
                check_max_retries(options["max_retries"])
                if "max_retries" in options
                else self._retry_policy.max_retries
            )
            extra = options.get("extra_headers")
            if extra:
                check_headers(extra, "extra_headers")
        else:
            timeout, max_retries, extra = self._config.timeout, self._retry_policy.max_retries, None
        url = self._config.base_url + path
        if params:
            url = f"{url}?{urlencode(_query_values(params))}"
        if self._shared.transport is None:
            self._get_transport()
        refreshable = False
        content = None
        if body is not None or json_body:
            content = encode_json(body)
        if content is None and method != "POST" and not extra and self._static_headers is not None:
            # The common GET: the same headers every time, never changed after this point.
            headers = self._static_headers
        else:
            headers = dict(self._base_headers)
            if extra:
                merge_headers(headers, extra)
            if content is not None:
                set_header(headers, "Content-Type", "application/json")
            if method == "POST":
                if idempotency_key is not None:
                    check_headers({"Idempotency-Key": idempotency_key}, "idempotency_key")
                    set_header(headers, "Idempotency-Key", idempotency_key)
                elif not (extra and has_header(extra, "idempotency-key")) and not (
                    self._default_idempotency_key
                ):
                    headers["Idempotency-Key"] = str(uuid.uuid4())
            # A caller's own Authorization header (default or extra headers) is sent as is.
            own_auth = self._default_authorization or (extra and has_header(extra, "authorization"))
            if not own_auth:
                if self._static_auth is not None:
                    headers["Authorization"] = self._static_auth
                else:  # the token provider's, asked for when the call starts
                    refreshable = True
        call = _Call(Request(method, url, headers, content, path), timeout, deadline, read)
        call.refreshable = refreshable
        if self._tracing and (tracer := _tracing.tracer()) is not None:
            return self._send_traced(call, max_retries, tracer, sys._getframe(1))
        return self._attempts(call, max_retries)

    def _attempts(self, call: _Call[T], max_retries: int) -> T:
        """The call: the first try, then retries only after a retryable failure; its result.

        The first try calls ``_attempt_once`` itself (``_attempt`` inlined: one coroutine
        less on every call), or even the transport; what follows a failure is
        ``_after_first_failure``.
        """
        if call.refreshable:
            call.request = _with_authorization(call.request, self._authorization())
        transport = self._shared.transport
        assert transport is not None
        try:
            if call.deadline is None and not LOGGER.isEnabledFor(logging.DEBUG):
                # _attempt_once without its coroutine (one frame less on every resumption
                # of the call): no deadline to clamp the timeout to, and nothing to log.
                response = self._accepted(transport.send(call.request, call.timeout))
            else:
                response = self._attempt_once(call)
        except ChimeKitError as exc:
            if self._final(exc, call, max_retries):
                raise
            response = self._after_first_failure(call, max_retries, exc)
        call.response = response
        return call.read(Exchange(response, call.retries, time.monotonic() - call.started))

    def _final(self, failure: ChimeKitError, call: _Call[Any], max_retries: int) -> bool:
        """Whether the first try's failure ends the call (no 401 resend and no retry)."""
        if isinstance(failure, AuthenticationError) and call.refreshable:
            return False
        return max_retries == 0 or not self._retry_policy.is_retryable(failure)

    def _after_first_failure(
        self, call: _Call[Any], max_retries: int, failure: ChimeKitError
    ) -> Response:
        """After a first try that ``_final`` does not end: the 401 resend, or the retries."""
        if isinstance(failure, AuthenticationError) and call.refreshable:
            return self._reauthenticated(call, max_retries, failure)
        return self._retry(call, max_retries, failure)

    def _reauthenticated(
        self, call: _Call[Any], max_retries: int, unauthorized: AuthenticationError
    ) -> Response:
        """After a 401 on the first try: the resend with a new token, then any retries."""
        try:
            return self._resend_with_new_token(call, unauthorized)
        except ChimeKitError as exc:
            if max_retries == 0 or not self._retry_policy.is_retryable(exc):
                raise
            return self._retry(call, max_retries, exc)

    def _send_traced(
        self, call: _Call[T], max_retries: int, tracer: Tracer, caller: FrameType
    ) -> T:
        """``_attempts`` inside an OpenTelemetry span (see ``chimekit_core._tracing``)."""
        trace, call.request = _tracing.CallTrace.start(tracer, caller, call.request)
        call.trace = trace
        try:
            result = self._attempts(call, max_retries)
        except BaseException as exc:
            trace.failed(exc, call.retries, call.request)
            raise
        assert call.response is not None
        trace.succeeded(call.response, call.retries)
        return result

    def _authorization(self) -> str:
        if self._static_auth is not None:
            return self._static_auth
        provider = self._config.token_provider
        assert provider is not None
        token = resolve(provider())
        if not isinstance(token, str) or not token.strip():
            raise ChimeKitError("token_provider must return a non-empty string token")
        check_headers({"Authorization": token}, "the token from token_provider")
        return f"Bearer {token}"

    def _retry(self, call: _Call[Any], max_retries: int, first_failure: ChimeKitError) -> Response:
        # Only reached after a retryable failure, so the happy path never pays for tenacity.
        from tenacity import Retrying

        pending: ChimeKitError | None = first_failure
        retrying = Retrying(
            **self._retry_policy.tenacity_options(
                max_retries,
                deadline=call.deadline,
                before_sleep=_log_retry(call.request, call.trace),
            )
        )
        for attempt in retrying:
            with attempt:
                if pending is not None:
                    failure, pending = pending, None
                    raise failure  # tenacity's first attempt replays the failure we had
                call.retries = attempt.retry_state.attempt_number - 1
                return self._attempt(call)
        raise AssertionError("tenacity stopped without a result")  # pragma: no cover

    def _attempt(self, call: _Call[Any]) -> Response:
        """One attempt; after a 401 with a token provider, one resend with a new token.

        The resend is the only attempt beyond the retry budget, once per call.
        """
        try:
            return self._attempt_once(call)
        except AuthenticationError as exc:
            if not call.refreshable:
                raise
            return self._resend_with_new_token(call, exc)

    def _resend_with_new_token(self, call: _Call[Any], exc: AuthenticationError) -> Response:
        """The one resend after a 401, with a token the provider makes anew."""
        call.refreshable = False
        if call.trace is not None:
            call.trace.reauthenticating(exc)
        request = call.request
        LOGGER.info(
            "%s %s: 401, asking the token provider for a new token",
            request.method,
            request.path,
        )
        call.request = _with_authorization(request, self._authorization())
        return self._attempt_once(call)

    def _attempt_once(self, call: _Call[Any]) -> Response:
        transport = self._shared.transport
        assert transport is not None
        request = call.request
        timeout = call.timeout
        clamped = False
        if call.deadline is not None:
            left = call.deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(
                    f"{request.method} {request.path}: no time left for another attempt",
                    method=request.method,
                    url=request.url,
                )
            if timeout is None or left < timeout:
                timeout = left
                clamped = True
        number = call.retries + 1
        started = time.perf_counter()
        try:
            response = transport.send(request, timeout)
        except APITimeoutError as exc:
            if clamped:
                raise DeadlineExceeded(str(exc), method=request.method, url=request.url) from exc
            raise
        except ChimeKitError as exc:
            if LOGGER.isEnabledFor(logging.DEBUG):
                LOGGER.debug(
                    "%s %s failed after %.1f ms (attempt %d): %s",
                    request.method,
                    request.path,
                    (time.perf_counter() - started) * 1000,
                    number,
                    exc,
                )
            raise
        if LOGGER.isEnabledFor(logging.DEBUG):
            LOGGER.debug(
                "%s %s -> %d in %.1f ms (attempt %d, request id %s)",
                request.method,
                request.path,
                response.status,
                (time.perf_counter() - started) * 1000,
                number,
                response.request_id,
            )
        return self._accepted(response)

    def _accepted(self, response: Response) -> Response:
        """``response`` if it is a 2xx; otherwise its typed error is raised."""
        if 200 <= response.status < 300:
            return response
        raise self._status_error(response)

    def _status_error(self, response: Response) -> ChimeKitError:
        error = status_error(response)
        if response.status == 404 and not self._config.base_url.endswith("/sdk/v1"):
            error.add_note(
                f"base_url is {self._config.base_url!r}; the API lives under /sdk/v1, "
                f"e.g. {DEFAULT_BASE_URL!r}. Is base_url missing its /sdk/v1?"
            )
        return error


class _Call(Generic[T]):
    """The state of one logical call across its attempts."""

    __slots__ = (
        "deadline",
        "read",
        "refreshable",
        "request",
        "response",
        "retries",
        "started",
        "timeout",
        "trace",
    )

    def __init__(
        self,
        request: Request,
        timeout: float | None,
        deadline: float | None,
        read: Callable[[Exchange], T],
    ) -> None:
        self.request = request
        self.timeout = timeout
        self.deadline = deadline
        self.read = read
        self.refreshable = False
        self.retries = 0
        self.started = time.monotonic()
        self.trace: _tracing.CallTrace | None = None
        self.response: Response | None = None


def _with_authorization(request: Request, authorization: str) -> Request:
    headers = dict(request.headers)
    headers["Authorization"] = authorization
    return Request(request.method, request.url, headers, request.body, request.path)


def _decoded_json(exchange: Exchange) -> Any:
    return decode_json(exchange.response)


def _log_retry(
    request: Request, trace: _tracing.CallTrace | None
) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        if trace is not None:
            trace.retrying(exc, wait)
        LOGGER.info(
            "%s %s failed (%s); retry %d in %.2f s",
            request.method,
            request.path,
            exc,
            state.attempt_number,
            wait,
        )

    return before_sleep


def _check_raw_path(path: object) -> None:
    if not isinstance(path, str):
        raise TypeError(f"path must be a string, not {type(path).__name__}")
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError(f"path must start with a single '/', got {path!r}")
    if any(ch in path for ch in "?#") or any(ord(ch) < 0x21 or ord(ch) == 0x7F for ch in path):
        raise ValueError(
            "path must not contain '?', '#', spaces or control characters; pass query "
            "parameters as params= and percent-encode ids"
        )
    if any(segment in (".", "..") for segment in path.split("/")):
        raise ValueError(f"path must not contain '.' or '..' segments, got {path!r}")


def _query_values(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    if not isinstance(params, Mapping):
        raise TypeError("params must be a mapping")
    values = []
    for key, value in params.items():
        if not isinstance(key, str):
            raise TypeError("params keys must be strings")
        if isinstance(value, bool):
            values.append((key, "true" if value else "false"))
        elif isinstance(value, str | int | float):
            values.append((key, str(value)))
        else:
            raise TypeError(f"params[{key!r}] must be a str, int, float or bool")
    return values


class _SharedTransport:
    """The transport a client and its ``with_options`` copies share, made on first use."""

    __slots__ = ("lock", "transport")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.transport: SyncTransport | None = None


def _retry_policy(retry: RetryPolicy | None, max_retries: int, *, explicit: bool) -> RetryPolicy:
    if retry is None:
        return RetryPolicy(max_retries=check_max_retries(max_retries))
    policy = check_retry_policy(retry)
    if explicit:
        policy = attrs.evolve(policy, max_retries=check_max_retries(max_retries))
    return policy
