"""``/messages/send``, ``/messages/{id}`` and ``/messages/members/{id}/messages``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from .._clock import iso_now
from .._ids import new_id
from .._reply import ApiError, Reply
from .._store import DEFAULT_CATEGORY_ID, MemberRecord, MessageRecord, NotificationRecord, Store
from ._common import (
    Call,
    Routes,
    bad,
    identity_key,
    member_pk,
    optional_id,
    optional_object,
    optional_text,
    query_int,
    quoted,
    require_member,
    required_text,
)

DEFAULT_PAGE_LIMIT: Final = 20
MAX_PAGE_LIMIT: Final = 100


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
        raise bad(f"{label} must be an object")
    template_id = optional_id(value, "templateId", f"{label}.templateId")
    if template_id is None or "title" in value:
        required_text(value, "title", f"{label}.title")
    optional_text(value, "snippet", f"{label}.snippet")
    optional_text(value, "body", f"{label}.body")
    optional_object(value, "variables", f"{label}.variables")
    actions = value.get("actions")
    if actions is not None and not isinstance(actions, list | dict):
        raise bad(f"{label}.actions must be an array, an object or null")
    return value


def _channel_email(value: Any) -> dict[str, Any]:
    label = "content.email"
    if not isinstance(value, dict):
        raise bad(f"{label} must be an object")
    required_text(value, "subject", f"{label}.subject")
    optional_text(value, "body", f"{label}.body")
    optional_text(value, "html", f"{label}.html")
    optional_object(value, "variables", f"{label}.variables")
    return value


def _content(data: dict[str, Any]) -> _Content:
    content = data.get("content")
    if not isinstance(content, dict):
        raise bad("content must be an object")
    has_template = content.get("templateId") is not None
    channels = [name for name in ("in_app", "email") if content.get(name) is not None]
    if has_template and channels:
        raise bad("content must have either templateId or channels (in_app, email), not both")
    if not has_template and not channels:
        raise bad("content must have either templateId or at least one channel (in_app, email)")
    variables = optional_object(content, "variables", "content.variables")
    if has_template:
        return _Content(
            template_id=required_text(content, "templateId", "content.templateId"),
            template_version_id=optional_id(
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
    scope = store.suppression_scope(member_pk(member), "email", identity_key(address), category_id)
    if scope is None:
        return {"channel": "email", "to": address, "status": "sent", "reason": None}
    reason = "suppressed globally" if scope == "" else f"suppressed for category {scope}"
    return {"channel": "email", "to": address, "status": "suppressed", "reason": reason}


def message_json(message: MessageRecord) -> dict[str, Any]:
    """A message, exactly as the API reference shows it."""
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


def send_message(call: Call) -> Reply:
    """POST /messages/send: record the message, its notification and its email delivery."""
    data = call.json()
    external_id = required_text(data, "externalUserId")
    content = _content(data)
    fixtures = call.state.fixtures
    template_category = None
    if content.template_id is not None:
        template_category = fixtures.template_category(
            content.template_id, content.template_version_id, "content.templateId"
        )
    if content.in_app is not None and content.in_app.get("templateId") is not None:
        fixtures.template_category(content.in_app["templateId"], None, "content.in_app.templateId")
    category_id = (
        optional_id(data, "categoryId", "categoryId") or template_category or DEFAULT_CATEGORY_ID
    )
    category_name = fixtures.category_name(category_id, "categoryId")
    store = call.store
    member = require_member(store, external_id)
    stored_category_name = store.ensure_category(category_id, category_name)
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
    payload = content.variables or {}
    created_at = iso_now()
    seq = store.insert_message(
        message_id=message_id,
        member_pk=member_pk(member),
        category_id=category_id,
        template_id=content.template_id,
        template_version_id=content.template_version_id,
        payload=payload,
        content=data["content"],
        delivery=delivery,
        idempotency_key=call.idempotency_key,
        created_at=created_at,
        notification=notification,
    )
    # The reply is built from the values just stored rather than read back: they are the same
    # (JSON in, JSON out), and the read-back took a tenth of the emulator's time in bulk sends.
    message = MessageRecord(
        seq=seq,
        id=message_id,
        member=member,
        category_id=category_id,
        category_name=stored_category_name,
        template_id=content.template_id,
        template_version_id=content.template_version_id,
        payload=payload,
        content=data["content"],
        delivery=delivery,
        idempotency_key=call.idempotency_key,
        created_at=created_at,
        notification=notification,
    )
    return Reply.json(
        200,
        {
            "message": message_json(message),
            "delivery": message.delivery,
            "notification": _notification_json(message.notification),
            "audienceMember": {"id": member.id},
        },
    )


def get_message(call: Call) -> Reply:
    """GET /messages/{id}: the message with delivery, notification and recipient."""
    message = call.store.message_by_id(call.params[0])
    if message is None:
        raise ApiError(404, f"message {quoted(call.params[0])} not found")
    return Reply.json(
        200,
        {
            "message": {
                "message": message_json(message),
                "delivery": message.delivery,
                "notification": _notification_json(message.notification),
                "recipient": _recipient_json(message.member),
            }
        },
    )


def list_messages(call: Call) -> Reply:
    """GET /messages/members/{id}/messages: newest first, with limit/offset pagination."""
    limit = query_int(call.query, "limit", DEFAULT_PAGE_LIMIT, 1, MAX_PAGE_LIMIT)
    offset = query_int(call.query, "offset", 0, 0, None)
    member = require_member(call.store, call.params[0])
    pk = member_pk(member)
    messages = call.store.messages_for(pk, limit=limit, offset=offset)
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
                "totalCount": call.store.count_messages(pk),
                "limit": limit,
                "offset": offset,
            },
        },
    )


ROUTES: Routes = [
    ("POST", "/messages/send", send_message),
    ("GET", "/messages/{id}", get_message),
    ("GET", "/messages/members/{id}/messages", list_messages),
]
