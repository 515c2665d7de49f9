"""What every resource's handlers share: the call, field validation, members, identities."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qs

from .._reply import ApiError, Reply, parse_json_object
from .._state import EmulatorState
from .._store import MemberRecord, Store

SUPPORTED_IDENTITY_TYPES: Final = ("email",)
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
    parsed: dict[str, Any] | None = None
    """The body already parsed (for the idempotency fingerprint), so it is parsed only once."""

    @property
    def store(self) -> Store:
        """The emulator's store."""
        return self.state.store

    def json(self) -> dict[str, Any]:
        """The body, which must be a JSON object."""
        return parse_json_object(self.body) if self.parsed is None else self.parsed


Handler = Callable[[Call], Reply]
Routes = list[tuple[str, str, Handler]]


def quoted(value: str) -> str:
    """``value`` as a JSON string, for error messages."""
    return json.dumps(value, ensure_ascii=False)


def bad(message: str) -> ApiError:
    """A 400 with ``message``."""
    return ApiError(400, message)


# Field validation. Messages name the field with its path in the body, e.g. content.in_app.title.


def required_text(data: dict[str, Any], key: str, label: str | None = None) -> str:
    """A non-empty string."""
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise bad(f"{label or key} must be a non-empty string")
    return value


def optional_text(data: dict[str, Any], key: str, label: str) -> str | None:
    """A string or null; absent reads as null."""
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise bad(f"{label} must be a string or null")
    return value


def optional_id(data: dict[str, Any], key: str, label: str) -> str | None:
    """A non-empty string or null; absent reads as null."""
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise bad(f"{label} must be a non-empty string or null")
    return value


def optional_object(data: dict[str, Any], key: str, label: str) -> dict[str, Any] | None:
    """An object or null; absent reads as null."""
    value = data.get(key)
    if value is not None and not isinstance(value, dict):
        raise bad(f"{label} must be an object or null")
    return value


def query_int(query: str, name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter in ``low..high`` (``high=None``: no upper bound)."""
    values = parse_qs(query, keep_blank_values=True).get(name)
    if values is None:
        return default
    expected = (
        f"{name} must be an integer between {low} and {high}"
        if high is not None
        else f"{name} must be an integer >= {low}"
    )
    if len(values) != 1 or not _DIGITS.fullmatch(values[0]):
        raise bad(expected)
    number = int(values[0])
    if number < low or (high is not None and number > high):
        raise bad(expected)
    return number


# Identities and members.


def identity(value: Any, label: str) -> dict[str, Any]:
    """A validated identity object."""
    if not isinstance(value, dict):
        raise bad(f"{label} must be an object")
    identity_type = value.get("type")
    if identity_type not in SUPPORTED_IDENTITY_TYPES:
        raise bad(f'{label}.type must be "email" (the supported identity type)')
    identity_value = required_text(value, "value", f"{label}.value")
    verified = value.get("verified")
    if verified is not None and not isinstance(verified, bool):
        raise bad(f"{label}.verified must be a boolean")
    return {"type": identity_type, "value": identity_value, "verified": bool(verified)}


def identity_key(identity_value: str) -> str:
    """Email addresses compare without regard to case."""
    return identity_value.casefold()


def active_member(store: Store, external_id: str) -> MemberRecord | None:
    """The member, unless missing or deleted."""
    member = store.member_by_external_id(external_id)
    return None if member is None or member.deleted is not None else member


def require_member(store: Store, external_id: str) -> MemberRecord:
    """The member, or a 404."""
    member = active_member(store, external_id)
    if member is None:
        raise ApiError(404, f"member {quoted(external_id)} not found")
    return member


def member_pk(member: MemberRecord) -> int:
    """The primary key of a member read from the store."""
    assert member.pk is not None, "members read from the store have a primary key"
    return member.pk
