"""The admin API under ``/_emulator/``: reset, journal, outbox, runs, config, faults, fixtures.

It takes no authentication and is never journaled, fault-injected or rate limited; it exists
for tests.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._api import advance_runs
from ._faults import FaultRule
from ._fixtures import PERMISSIVE, Fixtures
from ._reply import ApiError, Reply, parse_json_object, read_body
from ._routing import Router, decode_segments
from ._state import EmulatorState

if TYPE_CHECKING:
    from aiohttp import web

RUN_TARGETS: Final = ("running", "completed", "failed")
_OK: Final = {"status": "ok"}


@dataclass(frozen=True, slots=True)
class AdminCall:
    """One admin request as a handler sees it."""

    state: EmulatorState
    params: list[str]
    body: bytes

    def json(self) -> dict[str, Any]:
        """The body as a JSON object; an empty body reads as ``{}``."""
        return parse_json_object(self.body) if self.body.strip() else {}


AdminHandler = Callable[[AdminCall], Reply]


def _health(call: AdminCall) -> Reply:
    return Reply.json(200, _OK)


def _reset(call: AdminCall) -> Reply:
    call.state.reset()
    return Reply.json(200, _OK)


def _journal(call: AdminCall) -> Reply:
    return Reply.json(200, {"requests": call.state.journal.to_json()})


def _clear_journal(call: AdminCall) -> Reply:
    call.state.journal.clear()
    return Reply.json(200, _OK)


def _outbox(call: AdminCall) -> Reply:
    return Reply.json(
        200,
        {
            "messages": [
                {
                    "messageId": message.id,
                    "externalUserId": message.member.external_id,
                    "memberId": message.member.id,
                    "categoryId": message.category_id,
                    "content": message.content,
                    "delivery": message.delivery,
                    "idempotencyKey": message.idempotency_key,
                    "createdAt": message.created_at,
                }
                for message in call.state.store.all_messages()
            ]
        },
    )


def _members(call: AdminCall) -> Reply:
    return Reply.json(
        200,
        {
            "members": [
                {
                    "id": member.id,
                    "externalUserId": member.external_id,
                    "displayName": member.display_name,
                    "deleted": member.deleted,
                }
                for member in call.state.store.all_members()
            ]
        },
    )


def _advance_runs(call: AdminCall) -> Reply:
    data = call.json()
    run_id = data.get("runId")
    if run_id is not None and (not isinstance(run_id, str) or not run_id):
        raise ApiError(400, "runId must be a non-empty string or null")
    status = data.get("status", "completed")
    if status not in RUN_TARGETS:
        raise ApiError(400, f"status must be one of {', '.join(RUN_TARGETS)}")
    store = call.state.store
    with store.transaction():
        moved = advance_runs(store, run_id, status)
    return Reply.json(200, {"runs": moved})


def _config_json(state: EmulatorState) -> dict[str, Any]:
    return {
        "runQueuedSeconds": state.run_queued_seconds,
        "runRunningSeconds": state.run_running_seconds,
        "rateLimit": state.rate_limiter.limit,
    }


def _get_config(call: AdminCall) -> Reply:
    return Reply.json(200, _config_json(call.state))


def _set_config(call: AdminCall) -> Reply:
    data = call.json()
    updates = {}
    for key, attribute in (
        ("runQueuedSeconds", "run_queued_seconds"),
        ("runRunningSeconds", "run_running_seconds"),
    ):
        if key not in data:
            continue
        value = data[key]
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
            or value < 0
        ):
            raise ApiError(400, f"{key} must be a number of seconds >= 0")
        updates[attribute] = float(value)
    rate_limit = data.get("rateLimit")
    if rate_limit is not None and (
        not isinstance(rate_limit, int) or isinstance(rate_limit, bool) or rate_limit < 1
    ):
        raise ApiError(400, "rateLimit must be an integer >= 1 (requests per second) or null")
    for attribute, value in updates.items():
        setattr(call.state, attribute, value)
    if "rateLimit" in data:
        call.state.rate_limiter.set_limit(rate_limit)
    return Reply.json(200, _config_json(call.state))


def _list_faults(call: AdminCall) -> Reply:
    return Reply.json(200, {"faults": call.state.faults.describe()})


def _add_fault(call: AdminCall) -> Reply:
    try:
        rule = FaultRule.from_dict(call.json())
    except (ValueError, TypeError) as exc:
        raise ApiError(400, str(exc)) from None
    return Reply.json(200, {"id": call.state.faults.add(rule)})


def _clear_faults(call: AdminCall) -> Reply:
    call.state.faults.clear()
    return Reply.json(200, _OK)


def _remove_fault(call: AdminCall) -> Reply:
    fault_id = call.params[0]
    if not call.state.faults.remove(fault_id):
        raise ApiError(404, f"fault rule {json.dumps(fault_id)} not found")
    return Reply.json(200, {"id": fault_id})


def _get_fixtures(call: AdminCall) -> Reply:
    return Reply.json(200, call.state.fixtures.to_dict())


def _set_fixtures(call: AdminCall) -> Reply:
    try:
        call.state.fixtures = Fixtures.from_dict(call.json())
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    return Reply.json(200, call.state.fixtures.to_dict())


def _clear_fixtures(call: AdminCall) -> Reply:
    call.state.fixtures = PERMISSIVE
    return Reply.json(200, _OK)


ROUTER: Final[Router[AdminHandler]] = Router(
    [
        ("GET", "/health", _health),
        ("POST", "/reset", _reset),
        ("GET", "/journal", _journal),
        ("DELETE", "/journal", _clear_journal),
        ("GET", "/outbox", _outbox),
        ("GET", "/members", _members),
        ("POST", "/runs/advance", _advance_runs),
        ("GET", "/config", _get_config),
        ("POST", "/config", _set_config),
        ("GET", "/faults", _list_faults),
        ("POST", "/faults", _add_fault),
        ("DELETE", "/faults", _clear_faults),
        ("DELETE", "/faults/{id}", _remove_fault),
        ("GET", "/fixtures", _get_fixtures),
        ("PUT", "/fixtures", _set_fixtures),
        ("DELETE", "/fixtures", _clear_fixtures),
    ]
)
"""The admin route table, matched on decoded path segments after ``/_emulator``."""


async def handle(request: web.BaseRequest, state: EmulatorState, raw_segments: list[str]) -> Reply:
    """Answer one admin request.

    Args:
        request: The request.
        state: The emulator's state.
        raw_segments: The still-encoded path segments after ``/_emulator``.
    """
    try:
        body = await read_body(request)
        handler, params = ROUTER.resolve(
            request.method,
            decode_segments(raw_segments),
            "/_emulator/" + "/".join(raw_segments),
        )
        return handler(AdminCall(state, params, body))
    except ApiError as exc:
        return exc.reply()
