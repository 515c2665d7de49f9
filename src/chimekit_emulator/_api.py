"""The twelve endpoints of ``/sdk/v1``: validation, business rules and the documented JSON shapes.

Handlers are synchronous: the pipeline in ``_app`` runs each inside one store transaction
(together with the idempotency record) and commits before anything is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

from ._clock import iso, iso_now, now
from ._ids import new_id, stable_id
from ._reply import ApiError, Reply, parse_json_object
from ._routing import Router
from ._state import EmulatorState
from ._store import (
    DEFAULT_CATEGORY_ID,
    MemberRecord,
    MessageRecord,
    NotificationRecord,
    RunRecord,
    Store,
    SuppressionRecord,
)

SUPPORTED_IDENTITY_TYPES: Final = ("email",)
DEFAULT_SUPPRESSION_REASON: Final = "opt-out"
DEFAULT_PAGE_LIMIT: Final = 20
MAX_PAGE_LIMIT: Final = 100
_DIGITS = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated, routed API request as a handler sees it."""

    state: EmulatorState
    params: list[str]
    query: str
    body: bytes
    api_key_id: str
    idempotency_key: str | None

    @property
    def store(self) -> Store:
        """The emulator's store."""
        return self.state.store

    def json(self) -> dict[str, Any]:
        """The body, which must be a JSON object."""
        return parse_json_object(self.body)


Handler = Callable[[Call], Reply]


def _quoted(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _bad(message: str) -> ApiError:
    return ApiError(400, message)


def _member_not_found(external_id: str) -> ApiError:
    return ApiError(404, f"member {_quoted(external_id)} not found")


# Field validation. Messages name the field with its path in the body, e.g. content.in_app.title.


def _required_text(data: dict[str, Any], key: str, label: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise _bad(f"{label or key} must be a non-empty string")
    return value


def _optional_text(data: dict[str, Any], key: str, label: str) -> str | None:
    """A string or null; absent reads as null."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(f"{label} must be a string or null")
    return value


def _optional_id(data: dict[str, Any], key: str, label: str) -> str | None:
    """A non-empty string or null; absent reads as null."""
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise _bad(f"{label} must be a non-empty string or null")
    return value


def _optional_object(data: dict[str, Any], key: str, label: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is not None and not isinstance(value, dict):
        raise _bad(f"{label} must be an object or null")
    return value


def _identity(value: Any, label: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _bad(f"{label} must be an object")
    identity_type = value.get("type")
    if identity_type not in SUPPORTED_IDENTITY_TYPES:
        raise _bad(f'{label}.type must be "email" (the supported identity type)')
    identity_value = _required_text(value, "value", f"{label}.value")
    verified = value.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise _bad(f"{label}.verified must be a boolean")
    return {"type": identity_type, "value": identity_value, "verified": bool(verified)}


def _identity_key(identity_value: str) -> str:
    """Email addresses compare without regard to case."""
    return identity_value.casefold()


def _identities(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise _bad("identities must be an array")
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(value):
        identity = _identity(item, f"identities[{index}]")
        key = (identity["type"], _identity_key(identity["value"]))
        if key not in seen:
            seen.add(key)
            result.append(identity)
    return result


def _profile_changes(data: dict[str, Any]) -> dict[str, Any]:
    """The validated profile fields present in ``data`` (absent ones are kept, null clears)."""
    changes: dict[str, Any] = {}
    if "displayName" in data:
        changes["display_name"] = _optional_text(data, "displayName", "displayName")
    if "attributes" in data:
        changes["attributes"] = _optional_object(data, "attributes", "attributes")
    if "identities" in data:
        changes["identities"] = _identities(data["identities"])
    return changes


def _apply_profile(member: MemberRecord, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(member, name, value)


def _active_member(store: Store, external_id: str) -> MemberRecord | None:
    member = store.member_by_external_id(external_id)
    return None if member is None or member.deleted is not None else member


def _require_member(store: Store, external_id: str) -> MemberRecord:
    member = _active_member(store, external_id)
    if member is None:
        raise _member_not_found(external_id)
    return member


def _member_pk(member: MemberRecord) -> int:
    assert member.pk is not None, "members read from the store have a primary key"
    return member.pk


# Shapes, exactly as the API reference shows them.


def _member_json(member: MemberRecord) -> dict[str, Any]:
    return {
        "id": member.external_id,
        "email": member.email,
        "displayName": member.display_name,
        "identities": member.identities,
        "attributes": member.attributes,
        "created": member.created,
        "updated": member.updated,
        "deleted": member.deleted,
        "lastSeen": None,
    }


def _suppression_json(suppression: SuppressionRecord, member: MemberRecord) -> dict[str, Any]:
    key = _identity_key(suppression.identity_value)
    verified = any(
        identity["type"] == suppression.identity_type
        and _identity_key(identity["value"]) == key
        and identity["verified"]
        for identity in member.identities
    )
    category = None
    if suppression.category_id is not None:
        category = {"id": suppression.category_id, "name": suppression.category_name}
    return {
        "id": suppression.id,
        "reason": suppression.reason,
        "createdAt": suppression.created_at,
        "updatedAt": suppression.updated_at,
        "identity": {
            "id": stable_id("aid", member.id, suppression.identity_type, key),
            "type": suppression.identity_type,
            "value": suppression.identity_value,
            "verified": verified,
            "metadata": None,
        },
        "category": category,
    }


def _message_json(message: MessageRecord) -> dict[str, Any]:
    return {
        "id": message.id,
        "memberId": message.member.id,
        "categoryId": message.category_id,
        "source": "sdk",
        "templateId": message.template_id,
        "templateVersionId": message.template_version_id,
        "payload": message.payload,
        "dispatchStatus": "dispatched",
        "scheduledFor": None,
        "createdAt": message.created_at,
    }


def _notification_json(notification: NotificationRecord | None) -> dict[str, Any] | None:
    if notification is None:
        return None
    return {
        "id": notification.id,
        "title": notification.title,
        "snippet": notification.snippet,
        "body": notification.body,
        "actions": notification.actions,
        "readAt": notification.read_at,
        "archivedAt": notification.archived_at,
    }


def _recipient_json(member: MemberRecord) -> dict[str, Any]:
    return {
        "id": member.id,
        "externalUserId": member.external_id,
        "displayName": member.display_name,
        "email": member.email,
    }


def _message_summary_json(message: MessageRecord) -> dict[str, Any]:
    return {
        "id": message.id,
        "memberId": message.member.id,
        "categoryId": message.category_id,
        "source": "sdk",
        "dispatchStatus": "dispatched",
        "scheduledFor": None,
        "createdAt": message.created_at,
        "snippet": None if message.notification is None else message.notification.snippet,
    }


def _run_json(run: RunRecord, at: float) -> dict[str, Any]:
    started = at >= run.starts
    finished = at >= run.finishes
    status = run.final_status if finished else "running" if started else "queued"
    return {
        "id": run.id,
        "workflowVersionId": stable_id("wv", run.workflow_key),
        "workflowId": stable_id("w", run.workflow_key),
        "workflowKey": run.workflow_key,
        "status": status,
        "memberId": run.member_id,
        "memberExternalUserId": run.member_external_id,
        "createdAt": iso(run.created),
        "startedAt": iso(run.starts) if started else None,
        "finishedAt": iso(run.finishes) if finished else None,
        "context": run.context,
    }


# Audience


def identify(call: Call) -> Reply:
    """POST /audience/identify: create or update a member; a deleted member comes back."""
    data = call.json()
    external_id = _required_text(data, "externalUserId")
    changes = _profile_changes(data)
    moment = iso_now()
    member = call.store.member_by_external_id(external_id)
    if member is None:
        member = MemberRecord(
            pk=None,
            id=new_id("mem"),
            external_id=external_id,
            display_name=None,
            attributes=None,
            identities=[],
            created=moment,
            updated=moment,
            deleted=None,
        )
    _apply_profile(member, changes)
    member.deleted = None
    member.updated = moment
    call.store.save_member(member)
    return Reply.json(200, {"member": _member_json(member)})


def get_member(call: Call) -> Reply:
    """GET /audience/members/{id}: the member, or null when missing or deleted."""
    member = _active_member(call.store, call.params[0])
    return Reply.json(200, {"member": None if member is None else _member_json(member)})


def update_member(call: Call) -> Reply:
    """PUT /audience/members/{id}: replace the given fields; null for a missing member."""
    changes = _profile_changes(call.json())
    member = _active_member(call.store, call.params[0])
    if member is None:
        return Reply.json(200, {"member": None})
    _apply_profile(member, changes)
    member.updated = iso_now()
    call.store.save_member(member)
    return Reply.json(200, {"member": _member_json(member)})


def delete_member(call: Call) -> Reply:
    """DELETE /audience/members/{id}: soft delete; ``{"id": null}`` when nothing to delete."""
    member = _active_member(call.store, call.params[0])
    if member is None:
        return Reply.json(200, {"id": None})
    moment = iso_now()
    member.deleted = moment
    member.updated = moment
    call.store.save_member(member)
    return Reply.json(200, {"id": member.external_id})


def list_suppressions(call: Call) -> Reply:
    """GET /audience/members/{id}/suppressions."""
    member = _require_member(call.store, call.params[0])
    suppressions = call.store.suppressions_for(_member_pk(member))
    return Reply.json(200, {"suppressions": [_suppression_json(s, member) for s in suppressions]})


def add_suppression(call: Call) -> Reply:
    """POST /audience/members/{id}/suppressions: suppress an identity, globally or per category."""
    data = call.json()
    identity = _identity(data.get("identity"), "identity")
    category_id = _optional_id(data, "categoryId", "categoryId")
    member = _require_member(call.store, call.params[0])
    member_pk = _member_pk(member)
    key = _identity_key(identity["value"])
    existing = call.store.find_suppression(member_pk, identity["type"], key, category_id)
    if existing is None:
        if category_id is not None:
            call.store.ensure_category(category_id)
        existing = call.store.insert_suppression(
            suppression_id=new_id("sup"),
            member_pk=member_pk,
            identity_type=identity["type"],
            identity_value=identity["value"],
            identity_key=key,
            category_id=category_id,
            reason=DEFAULT_SUPPRESSION_REASON,
            created_at=iso_now(),
        )
    return Reply.json(200, {"suppression": _suppression_json(existing, member)})


def remove_suppression(call: Call) -> Reply:
    """DELETE /audience/members/{id}/suppressions/{sid}: 200 with an empty body."""
    member = _require_member(call.store, call.params[0])
    suppression = call.store.suppression_by_id(_member_pk(member), call.params[1])
    if suppression is None:
        raise ApiError(404, f"suppression {_quoted(call.params[1])} not found")
    call.store.delete_suppression(suppression.pk)
    return Reply(200)


# Messages


@dataclass(frozen=True, slots=True)
class _Content:
    template_id: str | None
    template_version_id: str | None
    variables: dict[str, Any] | None
    in_app: dict[str, Any] | None
    email: dict[str, Any] | None


def _channel_in_app(value: Any) -> dict[str, Any]:
    label = "content.in_app"
    if not isinstance(value, dict):
        raise _bad(f"{label} must be an object")
    template_id = _optional_id(value, "templateId", f"{label}.templateId")
    if template_id is None or "title" in value:
        _required_text(value, "title", f"{label}.title")
    _optional_text(value, "snippet", f"{label}.snippet")
    _optional_text(value, "body", f"{label}.body")
    _optional_object(value, "variables", f"{label}.variables")
    actions = value.get("actions")
    if actions is not None and not isinstance(actions, list | dict):
        raise _bad(f"{label}.actions must be an array, an object or null")
    return value


def _channel_email(value: Any) -> dict[str, Any]:
    label = "content.email"
    if not isinstance(value, dict):
        raise _bad(f"{label} must be an object")
    _required_text(value, "subject", f"{label}.subject")
    _optional_text(value, "body", f"{label}.body")
    _optional_text(value, "html", f"{label}.html")
    _optional_object(value, "variables", f"{label}.variables")
    return value


def _content(data: dict[str, Any]) -> _Content:
    content = data.get("content")
    if not isinstance(content, dict):
        raise _bad("content must be an object")
    has_template = content.get("templateId") is not None
    channels = [name for name in ("in_app", "email") if content.get(name) is not None]
    if has_template and channels:
        raise _bad("content must have either templateId or channels (in_app, email), not both")
    if not has_template and not channels:
        raise _bad("content must have either templateId or at least one channel (in_app, email)")
    variables = _optional_object(content, "variables", "content.variables")
    if has_template:
        return _Content(
            template_id=_required_text(content, "templateId", "content.templateId"),
            template_version_id=_optional_id(
                content, "templateVersionId", "content.templateVersionId"
            ),
            variables=variables,
            in_app=None,
            email=None,
        )
    in_app = content.get("in_app")
    email = content.get("email")
    return _Content(
        template_id=None,
        template_version_id=None,
        variables=variables,
        in_app=None if in_app is None else _channel_in_app(in_app),
        email=None if email is None else _channel_email(email),
    )


def _email_delivery(store: Store, member: MemberRecord, category_id: str) -> dict[str, Any]:
    address = member.email
    if address is None:
        return {"channel": "email", "to": None, "status": "skipped", "reason": "no email identity"}
    scope = store.suppression_scope(
        _member_pk(member), "email", _identity_key(address), category_id
    )
    if scope is None:
        return {"channel": "email", "to": address, "status": "sent", "reason": None}
    reason = "suppressed globally" if scope == "" else f"suppressed for category {scope}"
    return {"channel": "email", "to": address, "status": "suppressed", "reason": reason}


def send_message(call: Call) -> Reply:
    """POST /messages/send: record the message, its notification and its email delivery."""
    data = call.json()
    external_id = _required_text(data, "externalUserId")
    content = _content(data)
    category_id = _optional_id(data, "categoryId", "categoryId") or DEFAULT_CATEGORY_ID
    store = call.store
    member = _require_member(store, external_id)
    store.ensure_category(category_id)
    notification = None
    if content.in_app is not None:
        in_app = content.in_app
        notification = NotificationRecord(
            id=new_id("not"),
            # A template reference cannot be rendered here; its id stands in for the title.
            title=in_app.get("title", in_app.get("templateId")),
            snippet=in_app.get("snippet"),
            body=in_app.get("body"),
            actions=in_app.get("actions"),
            read_at=None,
            archived_at=None,
        )
    delivery = None
    if content.email is not None:
        delivery = _email_delivery(store, member, category_id)
    message_id = new_id("msg")
    store.insert_message(
        message_id=message_id,
        member_pk=_member_pk(member),
        category_id=category_id,
        template_id=content.template_id,
        template_version_id=content.template_version_id,
        payload=content.variables or {},
        content=data["content"],
        delivery=delivery,
        idempotency_key=call.idempotency_key,
        created_at=iso_now(),
        notification=notification,
    )
    message = store.message_by_id(message_id)
    assert message is not None
    return Reply.json(
        200,
        {
            "message": _message_json(message),
            "delivery": message.delivery,
            "notification": _notification_json(message.notification),
            "audienceMember": {"id": member.id},
        },
    )


def get_message(call: Call) -> Reply:
    """GET /messages/{id}: the message with delivery, notification and recipient."""
    message = call.store.message_by_id(call.params[0])
    if message is None:
        raise ApiError(404, f"message {_quoted(call.params[0])} not found")
    return Reply.json(
        200,
        {
            "message": {
                "message": _message_json(message),
                "delivery": message.delivery,
                "notification": _notification_json(message.notification),
                "recipient": _recipient_json(message.member),
            }
        },
    )


def _query_int(
    query: dict[str, list[str]], name: str, default: int, low: int, high: int | None
) -> int:
    values = query.get(name)
    if values is None:
        return default
    expected = (
        f"{name} must be an integer between {low} and {high}"
        if high is not None
        else f"{name} must be an integer >= {low}"
    )
    if len(values) != 1 or not _DIGITS.fullmatch(values[0]):
        raise _bad(expected)
    number = int(values[0])
    if number < low or (high is not None and number > high):
        raise _bad(expected)
    return number


def list_messages(call: Call) -> Reply:
    """GET /messages/members/{id}/messages: newest first, with limit/offset pagination."""
    query = parse_qs(call.query, keep_blank_values=True)
    limit = _query_int(query, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
    offset = _query_int(query, "offset", 0, 0, None)
    member = _require_member(call.store, call.params[0])
    member_pk = _member_pk(member)
    messages = call.store.messages_for(member_pk, limit=limit, offset=offset)
    return Reply.json(
        200,
        {
            "messages": [
                {
                    "message": _message_summary_json(message),
                    "delivery": message.delivery,
                    "recipient": _recipient_json(message.member),
                    "category": {"id": message.category_id, "name": message.category_name},
                }
                for message in messages
            ],
            "pagination": {
                "totalCount": call.store.count_messages(member_pk),
                "limit": limit,
                "offset": offset,
            },
        },
    )


# Workflows


def run_workflow(call: Call) -> Reply:
    """POST /workflows/{key}/run: queue a run on the configured schedule."""
    data = call.json()
    external_id = _required_text(data, "externalUserId")
    context = _optional_object(data, "context", "context") or {}
    member = _require_member(call.store, external_id)
    created = now()
    starts = created + call.state.run_queued_seconds
    run_id = new_id("wr")
    call.store.insert_run(
        run_id=run_id,
        workflow_key=call.params[0],
        member_pk=_member_pk(member),
        context={**context, "apiKeyId": call.api_key_id},
        created=created,
        starts=starts,
        finishes=starts + call.state.run_running_seconds,
    )
    return Reply.json(200, {"runId": run_id, "status": "queued"})


def get_run(call: Call) -> Reply:
    """GET /workflows/runs/{runId}: the run, its status derived from the schedule."""
    run = call.store.run_by_id(call.params[0])
    if run is None:
        raise ApiError(404, f"workflow run {_quoted(call.params[0])} not found")
    return Reply.json(200, {"run": _run_json(run, now())})


def advance_runs(store: Store, run_id: str | None, status: str) -> list[str]:
    """Move one run (or every unfinished run) on to ``status`` now; returns the ids moved.

    ``"running"`` starts a queued run now (it then runs for its planned duration);
    ``"completed"`` and ``"failed"`` finish a run now. A run is never moved backwards.

    Raises:
        ApiError: 404 when ``run_id`` names no run.
    """
    moment = now()
    if run_id is not None:
        run = store.run_by_id(run_id)
        if run is None:
            raise ApiError(404, f"workflow run {_quoted(run_id)} not found")
        candidates = [run] if run.finishes > moment else []
    else:
        candidates = store.unfinished_runs(moment)
    moved = []
    for run in candidates:
        if status == "running":
            if run.starts <= moment:
                continue
            duration = run.finishes - run.starts
            store.reschedule_run(
                run.pk, starts=moment, finishes=moment + duration, final_status=run.final_status
            )
        else:
            store.reschedule_run(
                run.pk, starts=min(run.starts, moment), finishes=moment, final_status=status
            )
        moved.append(run.id)
    return moved


ROUTER: Final[Router[Handler]] = Router(
    [
        ("POST", "/audience/identify", identify),
        ("GET", "/audience/members/{id}", get_member),
        ("PUT", "/audience/members/{id}", update_member),
        ("DELETE", "/audience/members/{id}", delete_member),
        ("GET", "/audience/members/{id}/suppressions", list_suppressions),
        ("POST", "/audience/members/{id}/suppressions", add_suppression),
        ("DELETE", "/audience/members/{id}/suppressions/{sid}", remove_suppression),
        ("POST", "/messages/send", send_message),
        ("GET", "/messages/{id}", get_message),
        ("GET", "/messages/members/{id}/messages", list_messages),
        ("POST", "/workflows/{key}/run", run_workflow),
        ("GET", "/workflows/runs/{runId}", get_run),
    ]
)
"""The API's route table, matched on decoded path segments after ``/sdk/v1``."""
