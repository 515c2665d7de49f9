"""``/audience/members/{id}/suppressions``."""

from __future__ import annotations

from typing import Any, Final

from .._clock import iso_now
from .._ids import new_id, stable_id
from .._reply import ApiError, Reply
from .._store import MemberRecord, SuppressionRecord
from ._common import (
    Call,
    Routes,
    identity,
    identity_key,
    member_pk,
    optional_id,
    quoted,
    require_member,
)

DEFAULT_SUPPRESSION_REASON: Final = "opt-out"


def suppression_json(suppression: SuppressionRecord, member: MemberRecord) -> dict[str, Any]:
    """A suppression, exactly as the API reference shows it."""
    key = identity_key(suppression.identity_value)
    verified = any(
        item["type"] == suppression.identity_type
        and identity_key(item["value"]) == key
        and item["verified"]
        for item in member.identities
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


def list_suppressions(call: Call) -> Reply:
    """GET /audience/members/{id}/suppressions."""
    member = require_member(call.store, call.params[0])
    suppressions = call.store.suppressions_for(member_pk(member))
    return Reply.json(200, {"suppressions": [suppression_json(s, member) for s in suppressions]})


def add_suppression(call: Call) -> Reply:
    """POST /audience/members/{id}/suppressions: suppress an identity, globally or per category."""
    data = call.json()
    checked = identity(data.get("identity"), "identity")
    category_id = optional_id(data, "categoryId", "categoryId")
    category_name = None
    if category_id is not None:
        category_name = call.state.fixtures.category_name(category_id, "categoryId")
    member = require_member(call.store, call.params[0])
    pk = member_pk(member)
    key = identity_key(checked["value"])
    existing = call.store.find_suppression(pk, checked["type"], key, category_id)
    if existing is None:
        if category_id is not None:
            call.store.ensure_category(category_id, category_name)
        existing = call.store.insert_suppression(
            suppression_id=new_id("sup"),
            member_pk=pk,
            identity_type=checked["type"],
            identity_value=checked["value"],
            identity_key=key,
            category_id=category_id,
            reason=DEFAULT_SUPPRESSION_REASON,
            created_at=iso_now(),
        )
    return Reply.json(200, {"suppression": suppression_json(existing, member)})


def remove_suppression(call: Call) -> Reply:
    """DELETE /audience/members/{id}/suppressions/{sid}: 200 with an empty body."""
    member = require_member(call.store, call.params[0])
    suppression = call.store.suppression_by_id(member_pk(member), call.params[1])
    if suppression is None:
        raise ApiError(404, f"suppression {quoted(call.params[1])} not found")
    call.store.delete_suppression(suppression.pk)
    return Reply(200)


ROUTES: Routes = [
    ("GET", "/audience/members/{id}/suppressions", list_suppressions),
    ("POST", "/audience/members/{id}/suppressions", add_suppression),
    ("DELETE", "/audience/members/{id}/suppressions/{sid}", remove_suppression),
]
