# GENERATED from tests/async_/test_audience.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Audience members over the wire: identify, get, update, delete."""

from __future__ import annotations

import json
from datetime import UTC

import pytest
from support import header, sdk_requests

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit, EmailIdentity, Identity, Member

WEIRD_IDS = [
    "a/b",
    "a?b=c",
    "a#frag",
    "100%",
    "with space",
    "..",
    ".",
    "../messages/send",
    "ünïcødé-ユーザー",
    "emoji-🔔",
    "a%2Fb",
]


def test_identify_creates_member_with_documented_fields(
    chimekit: ChimeKit,
) -> None:
    """identify returns a Member with snake_case fields, aware datetimes and the email identity."""
    member = chimekit.audience.identify(
        "user_123",
        display_name="Ava Example",
        identities=[EmailIdentity("ava@example.com", verified=True)],
        attributes={"plan": "pro"},
    )
    assert isinstance(member, Member)
    assert member.id == "user_123"
    assert member.email == "ava@example.com"
    assert member.display_name == "Ava Example"
    assert member.identities == [Identity(type="email", value="ava@example.com", verified=True)]
    assert member.attributes == {"plan": "pro"}
    assert member.created is not None
    assert member.created.tzinfo is not None
    assert member.created.utcoffset() == UTC.utcoffset(None)
    assert member.deleted is None


def test_identify_sends_camel_case_and_leaves_out_omitted_options(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """Options not passed are absent from the body; explicit None is sent as null."""
    chimekit.audience.identify("user_1", display_name=None)
    entry = sdk_requests(chimekit_emulator.journal())[-1]
    assert entry["method"] == "POST"
    assert entry["path"] == "/sdk/v1/audience/identify"
    assert json.loads(entry["body"]) == {"externalUserId": "user_1", "displayName": None}
    assert header(entry, "Content-Type") == "application/json"


def test_email_identity_is_sent_without_none_fields(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """EmailIdentity("a@b.c") goes out as {"type": "email", "value": "a@b.c"}."""
    chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    body = json.loads(sdk_requests(chimekit_emulator.journal())[-1]["body"])
    assert body["identities"] == [{"type": "email", "value": "a@b.c"}]


def test_plain_dict_identities_are_accepted(chimekit: ChimeKit) -> None:
    """Identities may be plain dicts with type and value."""
    member = chimekit.audience.identify("user_1", identities=[{"type": "email", "value": "d@e.f"}])
    assert member.email == "d@e.f"


def test_get_returns_none_for_missing_and_deleted(chimekit: ChimeKit) -> None:
    """get is None for an unknown member and for a soft-deleted one."""
    assert chimekit.audience.get("nobody") is None
    chimekit.audience.identify("user_1")
    assert (chimekit.audience.get("user_1")) is not None
    assert chimekit.audience.delete("user_1") == "user_1"
    assert chimekit.audience.get("user_1") is None
    assert chimekit.audience.delete("user_1") is None


def test_identify_revives_a_deleted_member(chimekit: ChimeKit) -> None:
    """Identifying a soft-deleted member makes it active again."""
    chimekit.audience.identify("user_1")
    chimekit.audience.delete("user_1")
    member = chimekit.audience.identify("user_1")
    assert member.deleted is None
    assert chimekit.audience.get("user_1") == member


def test_update_replaces_only_given_fields(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """update sends only the fields given and returns None for a missing member."""
    chimekit.audience.identify("user_1", display_name="Ava", attributes={"a": 1})
    member = chimekit.audience.update("user_1", attributes={"plan": "enterprise"})
    assert member is not None
    assert member.display_name == "Ava"
    assert member.attributes == {"plan": "enterprise"}
    entry = sdk_requests(chimekit_emulator.journal())[-1]
    assert entry["method"] == "PUT"
    assert json.loads(entry["body"]) == {"attributes": {"plan": "enterprise"}}
    assert chimekit.audience.update("nobody", display_name="x") is None


@pytest.mark.parametrize("external_user_id", WEIRD_IDS)
def test_ids_are_one_path_segment(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, external_user_id: str
) -> None:
    """An id with /, ?, #, %, spaces, dots or non-ASCII reaches its own member and no other route."""
    chimekit.audience.identify(external_user_id, display_name="weird")
    member = chimekit.audience.get(external_user_id)
    assert member is not None
    assert member.id == external_user_id
    get = sdk_requests(chimekit_emulator.journal())[-1]
    assert get["status"] == 200
    assert get["path"].startswith("/sdk/v1/audience/members/")
    assert get["path"].count("/") == 5
    assert "?" not in get["path"]
    assert "#" not in get["path"]


@pytest.mark.parametrize("bad", ["", None, 5])
def test_bad_ids_fail_before_any_request(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, bad: object
) -> None:
    """Empty or non-string ids raise ValueError/TypeError naming the argument, sending nothing."""
    with pytest.raises((ValueError, TypeError), match="external_user_id"):
        chimekit.audience.get(bad)  # type: ignore[arg-type]
    with pytest.raises((ValueError, TypeError), match="external_user_id"):
        chimekit.audience.identify(bad)  # type: ignore[arg-type]
    assert sdk_requests(chimekit_emulator.journal()) == []


def test_bad_identities_fail_before_any_request(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """An identity without a value, or a non-JSON attribute, is refused client-side."""
    with pytest.raises(ValueError, match=r"identities\[0\]"):
        chimekit.audience.identify("u", identities=[{"type": "email"}])
    with pytest.raises(TypeError, match="identities"):
        chimekit.audience.identify("u", identities="a@b.c")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="attributes"):
        chimekit.audience.identify("u", attributes={"when": object()})
    with pytest.raises(ValueError, match="attributes"):
        chimekit.audience.identify("u", attributes={"x": float("nan")})
    assert sdk_requests(chimekit_emulator.journal()) == []
