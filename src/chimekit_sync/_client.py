# GENERATED from src/chimekit_async/_client.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``ChimeKit``: configuration, the request pipeline and the resource namespaces.

Every call goes through ``ChimeKit._send``: build the request (core), send it
once, and only after a retryable failure enter tenacity's retry loop with the core
``chimekit_core.RetryPolicy``. One ``Idempotency-Key`` serves every attempt of a
POST, so a retried send is never delivered twice.
"""

from __future__ import annotations

import inspect
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from types import TracebackType

# typing.Awaitable (not collections.abc): codegen maps it to typing.Union for the sync twin.
from typing import TYPE_CHECKING, Any, Union, Self, Unpack  # noqa: UP035
from urllib.parse import urlencode

from chimekit_core._config import ClientConfig, check_max_retries, check_timeout, user_agent
from chimekit_core._converter import instance_builder
from chimekit_core._encoding import check_headers, encode_json
from chimekit_core._exceptions import AuthenticationError, ChimeKitError
from chimekit_core._http import Request, Response
from chimekit_core._logging import LOGGER, setup_from_env
from chimekit_core._options import RequestOptions
from chimekit_core._proxy import check_proxy
from chimekit_core._responses import decode_json, status_error
from chimekit_core._retry import RetryPolicy

from ._audience import Audience
from ._concurrency import FLAVOUR
from ._messages import Messages
from ._workflows import Workflows

if TYPE_CHECKING:
    import urllib3
    import tenacity

    from ._transport import SyncTransport

__all__ = ["ChimeKit"]

_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
_new_request = instance_builder(Request)  # Request(...) without attrs' frozen __init__


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
        self._config = ClientConfig.resolve(
            secret_key=secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            token_provider=token_provider,
            default_headers=default_headers,
        )
        self._retry_policy = RetryPolicy(max_retries=self._config.max_retries)
        self._base_headers: dict[str, str] = {
            "Accept": "application/json",
            "User-Agent": user_agent(FLAVOUR),
            **self._config.default_headers,
        }
        self._static_auth = (
            None if self._config.secret_key is None else f"Bearer {self._config.secret_key}"
        )
        self._pool_arg = pool
        self._transport: SyncTransport | None = None
        self._transport_lock = threading.Lock()
        if pool is not None:
            self._transport = self._make_transport()
        self._closed = False
        self.audience = Audience(self)
        self.messages = Messages(self)
        self.workflows = Workflows(self)

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
        if self._transport is not None:
            self._transport.close()

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
        response = self._send(
            verb, path, body=json, params=params, options=options, json_body=json is not None
        )
        return decode_json(response)

    # -- the pipeline ---------------------------------------------------------------------

    def _make_transport(self) -> SyncTransport:
        from ._transport import SyncTransport

        return SyncTransport(self._pool_arg, proxy=self._proxy, trust_env=self._trust_env)

    def _get_transport(self) -> SyncTransport:
        # Made on first use so that building a client imports no HTTP stack; the lock keeps
        # threads sharing a sync client from each making (and leaking) a pool.
        transport = self._transport
        if transport is None:
            with self._transport_lock:
                if self._transport is None:
                    self._transport = self._make_transport()
                transport = self._transport
        return transport

    def _send(
        self,
        method: str,
        path: str,
        *,
        options: RequestOptions,
        body: Any = None,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
        json_body: bool | None = None,
    ) -> Response:
        """Send one logical call: first try, retries, and one re-authentication after a 401."""
        if self._closed:
            raise ChimeKitError("This client was closed; create a new client to make requests.")
        timeout = (
            check_timeout(options["timeout"]) if "timeout" in options else self._config.timeout
        )
        max_retries = (
            check_max_retries(options["max_retries"])
            if "max_retries" in options
            else self._config.max_retries
        )
        headers = dict(self._base_headers)
        extra = options.get("extra_headers")
        if extra:
            check_headers(extra, "extra_headers")
            headers.update(extra)
        content = None
        if body is not None or json_body:
            content = encode_json(body)
            headers["Content-Type"] = "application/json"
        if method == "POST":
            if idempotency_key is not None:
                check_headers({"Idempotency-Key": idempotency_key}, "idempotency_key")
                headers["Idempotency-Key"] = idempotency_key
            else:
                headers.setdefault("Idempotency-Key", str(uuid.uuid4()))
        url = self._config.base_url + path
        if params:
            url = f"{url}?{urlencode(_query_values(params))}"
        if self._transport is None:
            self._get_transport()

        auth = self._static_auth
        headers["Authorization"] = auth if auth is not None else self._authorization()
        request = _new_request(method, url, headers, content, path)
        try:
            return self._send_with_retries(request, timeout, max_retries)
        except AuthenticationError:
            if self._config.token_provider is None:
                raise
            LOGGER.info("%s %s: 401, asking the token provider for a new token", method, path)
            headers["Authorization"] = self._authorization()
            retry = _new_request(method, url, headers, content, path)
            return self._send_with_retries(retry, timeout, max_retries)

    def _authorization(self) -> str:
        if self._static_auth is not None:
            return self._static_auth
        provider = self._config.token_provider
        assert provider is not None
        token = provider()
        if inspect.isawaitable(token):
            token = token
        if not isinstance(token, str) or not token.strip():
            raise ChimeKitError("token_provider must return a non-empty string token")
        check_headers({"Authorization": token}, "the token from token_provider")
        return f"Bearer {token}"

    def _send_with_retries(
        self, request: Request, timeout: float | None, max_retries: int
    ) -> Response:
        try:
            return self._attempt(request, timeout, 1)
        except ChimeKitError as exc:
            if max_retries == 0 or not self._retry_policy.is_retryable(exc):
                raise
            first_failure = exc
        return self._retry(request, timeout, max_retries, first_failure)

    def _retry(
        self,
        request: Request,
        timeout: float | None,
        max_retries: int,
        first_failure: ChimeKitError,
    ) -> Response:
        # Only reached after a retryable failure, so the happy path never pays for tenacity.
        from tenacity import Retrying

        pending: ChimeKitError | None = first_failure
        retrying = Retrying(
            **self._retry_policy.tenacity_options(max_retries, before_sleep=_log_retry(request))
        )
        for attempt in retrying:
            with attempt:
                if pending is not None:
                    failure, pending = pending, None
                    raise failure  # tenacity's first attempt replays the failure we had
                return self._attempt(request, timeout, attempt.retry_state.attempt_number)
        raise AssertionError("tenacity stopped without a result")  # pragma: no cover

    def _attempt(self, request: Request, timeout: float | None, number: int) -> Response:
        assert self._transport is not None
        started = time.perf_counter()
        try:
            response = self._transport.send(request, timeout)
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
        if 200 <= response.status < 300:
            return response
        raise status_error(response)


def _log_retry(request: Request) -> Callable[[tenacity.RetryCallState], None]:
    def before_sleep(state: tenacity.RetryCallState) -> None:
        outcome = state.outcome
        exc = outcome.exception() if outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
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
