"""The aiohttp application: one catch-all route and the request pipeline.

For a request under ``/sdk/v1`` the pipeline is: journal it; refuse it with a 429 when its API
key is over the rate limit; pick a fault rule; sleep its delay; answer with an injected status or
drop/hang the connection; else authenticate, route on the raw path, replay or reject a reused
``Idempotency-Key``, run the handler and store its idempotency record in one transaction, commit,
and only then put the reply on the wire (whole, changed by a drift rule, or truncated, dripped or
dropped by a fault). Every response carries ``X-Request-Id``.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Final

from aiohttp import web

from . import _admin
from ._api import ROUTER, Call
from ._config import EmulatorConfig
from ._drift import apply_drift
from ._faults import FaultRule
from ._idempotency import HEADER as IDEMPOTENCY_HEADER
from ._idempotency import fingerprint, parsed_body, read_key, remember, replay
from ._ids import new_request_id
from ._journal import JournalEntry
from ._ratelimit import retry_after_headers
from ._reply import ApiError, Reply, encode_json, read_body
from ._routing import decode_segments, split_target
from ._state import EmulatorState
from ._wire import drop, hang, pause, send_dripped, send_truncated

API_PREFIX: Final = ["sdk", "v1"]
ADMIN_PREFIX: Final = ["_emulator"]
MAX_BODY_BYTES: Final = 1024 * 1024
REQUEST_ID_HEADER: Final = "X-Request-Id"
STATE_KEY: Final = web.AppKey("chimekit_emulator_state", EmulatorState)

logger = logging.getLogger("chimekit_emulator")


def make_app(config: EmulatorConfig | None = None) -> web.Application:
    """Build the emulator as an aiohttp application.

    Serve it with any aiohttp runner (or use ``EmulatorServer``, which does this in a
    background thread). The application's state opens at start-up and closes at cleanup, so one
    application serves one run; build a new one to serve again.

    Args:
        config: Settings; the defaults accept ``sk_test_chimekit`` and keep state in memory.

    Returns:
        The application: the API under ``/sdk/v1`` and the admin API under ``/_emulator``.

    Example:
        Serve it from your own aiohttp set-up::

            web.run_app(make_app(EmulatorConfig(data_path="state.sqlite")), port=8787)
    """
    state = EmulatorState(config or EmulatorConfig())
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[STATE_KEY] = state
    app.router.add_route("*", "/{tail:[\\s\\S]*}", _dispatch)  # also ids with newlines
    app.on_startup.append(_on_startup)
    app.on_shutdown.append(_on_shutdown)
    app.on_cleanup.append(_on_cleanup)
    return app


async def _on_startup(app: web.Application) -> None:
    app[STATE_KEY].open()


async def _on_shutdown(app: web.Application) -> None:
    # Lets hung, delayed and dripping requests end now instead of holding up the shutdown.
    app[STATE_KEY].stopping.set()


async def _on_cleanup(app: web.Application) -> None:
    app[STATE_KEY].close()


async def _dispatch(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE_KEY]
    request_id = new_request_id()
    raw_segments, query = split_target(request.raw_path)
    try:
        if raw_segments[:2] == API_PREFIX:
            return await _serve_api(request, state, raw_segments[2:], query, request_id)
        if raw_segments[:1] == ADMIN_PREFIX:
            reply = await _admin.handle(request, state, raw_segments[1:])
        else:
            path = "/" + "/".join(raw_segments)
            reply = ApiError(404, f"no such endpoint: {request.method} {path}").reply()
    except Exception:
        logger.exception("the emulator failed on %s %s", request.method, request.raw_path)
        reply = _internal_error()
    return reply.with_headers({REQUEST_ID_HEADER: request_id}).to_response()


def _internal_error() -> Reply:
    return ApiError(500, "internal emulator error (details in the emulator's log)").reply()


async def _serve_api(
    request: web.Request, state: EmulatorState, raw_segments: list[str], query: str, request_id: str
) -> web.StreamResponse:
    try:
        body = await read_body(request)
    except ApiError as too_large:
        entry = state.journal.record(request, None, request_id)
        try:  # authentication still comes first
            _authenticate(state, request.headers.get("Authorization"))
        except ApiError as unauthenticated:
            return _send_whole(entry, unauthenticated.reply(), request_id)
        return _send_whole(entry, too_large.reply(), request_id)
    entry = state.journal.record(request, body, request_id)
    limited = _rate_limited(state, request)
    if limited is not None:
        return _send_whole(entry, limited, request_id)
    api_path = "/" + "/".join(raw_segments) + (f"?{query}" if query else "")
    armed = state.faults.pick(request.method, api_path)
    if armed is None:
        return _send_whole(entry, _execute(request, state, raw_segments, query, body), request_id)

    rule = armed.rule
    entry.fault = rule.kind
    entry.fault_id = armed.id
    if rule.delay and not await pause(state.stopping, rule.delay):
        return drop(request, reset=False)
    if rule.kind == "delay":
        return _send_whole(entry, _execute(request, state, raw_segments, query, body), request_id)
    if rule.kind == "status":
        return _send_whole(entry, _injected_reply(rule), request_id)
    if rule.kind == "reset":
        return drop(request, reset=True)
    if rule.kind == "hang":
        return await hang(request, state.stopping)
    if rule.kind == "drift":
        reply = _execute(request, state, raw_segments, query, body)
        return _send_whole(entry, _drifted(rule, reply), request_id)

    reply = _execute(request, state, raw_segments, query, body)
    if rule.kind == "commit_then_drop":
        return drop(request, reset=False)
    reply = reply.with_headers({REQUEST_ID_HEADER: request_id})
    entry.status = reply.status
    if rule.kind == "truncate":
        return await send_truncated(request, reply)
    return await send_dripped(
        request, reply, chunk=rule.drip_chunk, interval=rule.drip_interval, stopping=state.stopping
    )


def _send_whole(entry: JournalEntry, reply: Reply, request_id: str) -> web.Response:
    entry.status = reply.status
    return reply.with_headers({REQUEST_ID_HEADER: request_id}).to_response()


def _rate_limited(state: EmulatorState, request: web.Request) -> Reply | None:
    """A 429 when the request's API key is over the limit; ``None`` when it may go on.

    A request that does not authenticate is not counted: it gets its 401 from the handler path.
    """
    if state.rate_limiter.limit is None:
        return None
    try:
        api_key_id = _authenticate(state, request.headers.get("Authorization"))
    except ApiError:
        return None
    wait = state.rate_limiter.admit(api_key_id)
    if wait is None:
        return None
    limit = state.rate_limiter.limit
    return ApiError(
        429,
        f"rate limit exceeded: at most {limit} requests per second per API key",
        retry_after_headers(wait),
    ).reply()


def _drifted(rule: FaultRule, reply: Reply) -> Reply:
    """``reply`` with the rule's drift applied to its JSON body (other bodies pass unchanged)."""
    if not reply.body or not reply.headers.get("Content-Type", "").startswith("application/json"):
        return reply
    document = apply_drift(rule, json.loads(reply.body))
    return Reply(reply.status, encode_json(document), reply.headers)


def _injected_reply(rule: FaultRule) -> Reply:
    assert rule.status is not None
    if rule.text is not None:
        headers = {"Content-Type": "text/plain; charset=utf-8", **(rule.headers or {})}
        return Reply(rule.status, rule.text.encode(), headers)
    return Reply.json(rule.status, rule.status_body, rule.headers)


def _authenticate(state: EmulatorState, authorization: str | None) -> str:
    """The id of the API key in the ``Authorization`` header."""
    if authorization is None:
        raise ApiError(
            401,
            'missing Authorization header (expected "Bearer <secret key>")',
            {"WWW-Authenticate": "Bearer"},
        )
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() == "bearer":
        presented = token.strip().encode("utf-8", "surrogateescape")
        for key, key_id in state.api_key_ids.items():
            if hmac.compare_digest(presented, key.encode("utf-8", "surrogateescape")):
                return key_id
    raise ApiError(401, "invalid API key", {"WWW-Authenticate": 'Bearer error="invalid_token"'})


def _execute(
    request: web.Request, state: EmulatorState, raw_segments: list[str], query: str, body: bytes
) -> Reply:
    """Authenticate, route and run the handler; commits before returning."""
    try:
        api_key_id = _authenticate(state, request.headers.get("Authorization"))
        handler, params = ROUTER.resolve(
            request.method,
            decode_segments(raw_segments),
            "/sdk/v1/" + "/".join(raw_segments),
        )
        key = None
        if request.method == "POST":
            key = read_key(request.headers.get(IDEMPOTENCY_HEADER))
        if key is None:
            call = Call(state, params, query, body, api_key_id, key)
        else:  # the fingerprint and the handler share one parse of the body
            parsed = parsed_body(body)
            call = Call(state, params, query, body, api_key_id, key, parsed)
        store = state.store
        with store.transaction():
            if key is None:
                return handler(call)
            request_fingerprint = fingerprint(request.method, request.raw_path, body, parsed)
            stored = replay(store, api_key_id, key, request_fingerprint)
            if stored is not None:
                return stored
            reply = handler(call)
            if reply.ok:
                remember(store, api_key_id, key, request_fingerprint, reply)
            return reply
    except ApiError as exc:
        return exc.reply()
    except Exception:
        logger.exception("the emulator failed on %s %s", request.method, request.raw_path)
        return _internal_error()
