"""``/audience/identify`` and ``/audience/members/{id}``."""

from __future__ import annotations

from typing import Any

from .._clock import iso_now
from .._ids import new_id
from .._reply import Reply
from .._store import MemberRecord
from ._common import (
    Call,
    Routes,
    active_member,
    bad,
    identity,
    identity_key,
    optional_object,
    optional_text,
    required_text,
)


def member_json(member: MemberRecord) -> dict[str, Any]:
    """A member, exactly as the API reference shows it."""
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


def _identities(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise bad("identities must be an array")
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for index, item in enumerate(value):
        checked = identity(item, f"identities[{index}]")
        key = (checked["type"], identity_key(checked["value"]))
        if key not in seen:
            seen.add(key)
            result.append(checked)
    return result


def _profile_changes(data: dict[str, Any]) -> dict[str, Any]:
    """The validated profile fields present in ``data`` (absent ones are kept, null clears)."""
    changes: dict[str, Any] = {}
    if "displayName" in data:
        changes["display_name"] = optional_text(data, "displayName", "displayName")
    if "attributes" in data:
        changes["attributes"] = optional_object(data, "attributes", "attributes")
    if "identities" in data:
        changes["identities"] = _identities(data["identities"])
    return changes


def _apply_profile(member: MemberRecord, changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        setattr(member, name, value)


def identify(call: Call) -> Reply:
    """POST /audience/identify: create or update a member; a deleted member comes back."""
    data = call.json()
    external_id = required_text(data, "externalUserId")
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
    return Reply.json(200, {"member": member_json(member)})


def get_member(call: Call) -> Reply:
    """GET /audience/members/{id}: the member, or null when missing or deleted."""
    member = active_member(call.store, call.params[0])
    return Reply.json(200, {"member": None if member is None else member_json(member)})


def update_member(call: Call) -> Reply:
    """PUT /audience/members/{id}: replace the given fields; null for a missing member."""
    changes = _profile_changes(call.json())
    member = active_member(call.store, call.params[0])
    if member is None:
        return Reply.json(200, {"member": None})
    _apply_profile(member, changes)
    member.updated = iso_now()
    call.store.save_member(member)
    return Reply.json(200, {"member": member_json(member)})


def delete_member(call: Call) -> Reply:
    """DELETE /audience/members/{id}: soft delete; ``{"id": null}`` when nothing to delete."""
    member = active_member(call.store, call.params[0])
    if member is None:
        return Reply.json(200, {"id": None})
    moment = iso_now()
    member.deleted = moment
    member.updated = moment
    call.store.save_member(member)
    return Reply.json(200, {"id": member.external_id})


ROUTES: Routes = [
    ("POST", "/audience/identify", identify),
    ("GET", "/audience/members/{id}", get_member),
    ("PUT", "/audience/members/{id}", update_member),
    ("DELETE", "/audience/members/{id}", delete_member),
]
