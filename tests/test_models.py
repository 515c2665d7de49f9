"""Response models: tolerant reading, strict types, and the wire form (to_dict/from_dict)."""

from __future__ import annotations

import copy
import json
import pickle
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chimekit_core import Member, Message, SentMessage, WorkflowRun, WorkflowRunRef, _models
from chimekit_core._models import MessageListResponse, ResponseModel

MEMBER_WIRE = {
    "id": "user_123",
    "email": "ava@example.com",
    "displayName": "Ava",
    "identities": [{"type": "email", "value": "ava@example.com", "verified": True}],
    "attributes": {"plan": "pro"},
    "created": "2025-01-01T00:00:00Z",
    "updated": "2025-01-02T03:04:05.123456+02:00",
    "deleted": None,
    "lastSeen": None,
}

RESPONSE_MODELS = sorted(
    (
        cls
        for cls in vars(_models).values()
        if isinstance(cls, type) and issubclass(cls, ResponseModel) and cls is not ResponseModel
    ),
    key=lambda cls: cls.__name__,
)


def test_from_dict_reads_the_wire_form() -> None:
    """camelCase keys map to snake_case fields; timestamps become aware datetimes."""
    member = Member.from_dict(MEMBER_WIRE)
    assert member.display_name == "Ava"
    assert member.identities[0].verified is True
    assert member.created == datetime(2025, 1, 1, tzinfo=UTC)
    assert member.updated == datetime(
        2025, 1, 2, 3, 4, 5, 123456, tzinfo=timezone(timedelta(hours=2))
    )


def test_to_dict_gives_the_wire_form_back() -> None:
    """to_dict() is camelCase with ISO-8601 strings, equal to what was read."""
    assert Member.from_dict(MEMBER_WIRE).to_dict() == MEMBER_WIRE


def test_to_json_is_to_dict_as_json() -> None:
    """to_json() is the JSON text of to_dict()."""
    member = Member.from_dict(MEMBER_WIRE)
    assert json.loads(member.to_json()) == member.to_dict()


def test_missing_optional_fields_read_as_none_and_lists_as_empty() -> None:
    """Only the identifier is needed: everything optional is None, a list is []."""
    member = Member.from_dict({"id": "user_1"})
    assert member == Member("user_1", None, None, [], None, None, None, None, None)


def test_null_list_reads_as_empty() -> None:
    """identities: null is an empty list, not an error."""
    assert Member.from_dict({**MEMBER_WIRE, "identities": None}).identities == []


def test_missing_identifier_is_an_error() -> None:
    """A member without id, a run ref without runId: ValueError naming the key."""
    with pytest.raises(ValueError, match=r"^Member without id$"):
        Member.from_dict({"email": "ava@example.com"})
    with pytest.raises(ValueError, match=r"^WorkflowRunRef without runId$"):
        WorkflowRunRef.from_dict({"status": "queued"})


def test_null_identifier_is_an_error() -> None:
    """id: null is a wrong type, not a missing optional field."""
    with pytest.raises(TypeError, match=r"^expected str, got NoneType$"):
        Member.from_dict({**MEMBER_WIRE, "id": None})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("email", 42, "expected str, got int"),
        ("identities", "ava@example.com", "expected list, got str"),
        ("attributes", ["plan"], "expected dict, got list"),
        ("created", 1735689600, "fromisoformat: argument must be str"),
    ],
)
def test_a_wrong_type_is_still_an_error(key: str, value: Any, message: str) -> None:
    """Tolerance is for missing/null only: a number where a string belongs fails."""
    with pytest.raises(TypeError, match=f"^{message}$"):
        Member.from_dict({**MEMBER_WIRE, key: value})


def test_nested_wrong_type_is_an_error() -> None:
    """A boolean field holding a string fails inside a list too."""
    identity = {"type": "email", "value": "a@b.c", "verified": "yes"}
    with pytest.raises(TypeError, match=r"^expected bool, got str$"):
        Member.from_dict({**MEMBER_WIRE, "identities": [identity]})


def test_timestamp_without_timezone_is_an_error() -> None:
    """A naive timestamp is refused rather than guessed."""
    with pytest.raises(ValueError, match=r"^timestamp '2025-01-01T00:00:00' has no timezone$"):
        Member.from_dict({**MEMBER_WIRE, "created": "2025-01-01T00:00:00"})


def test_lower_case_z_is_utc() -> None:
    """RFC 3339 allows 'z': it reads as the same aware datetime as 'Z'."""
    member = Member.from_dict({**MEMBER_WIRE, "created": "2025-01-01T00:00:00.5z"})
    assert member.created == datetime(2025, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)


def test_unknown_enum_values_stay_strings() -> None:
    """A status the SDK does not know is kept as the plain string."""
    run = WorkflowRun.from_dict({"id": "run_1", "status": "paused_by_operator"})
    assert run.status == "paused_by_operator"


def test_unknown_fields_are_kept_and_come_back_in_to_dict() -> None:
    """Keys the SDK does not know survive from_dict -> to_dict, nested ones too."""
    wire = {
        "message": {"id": "msg_1", "priority": "high"},
        "delivery": None,
        "notification": None,
        "audienceMember": {"id": "mem_1"},
        "traceId": "t-1",
    }
    sent = SentMessage.from_dict(wire)
    assert sent.to_dict()["traceId"] == "t-1"
    assert sent.to_dict()["message"]["priority"] == "high"
    assert SentMessage.from_dict(sent.to_dict()).to_dict() == sent.to_dict()


def test_unknown_fields_stay_out_of_eq_and_repr() -> None:
    """Two reads that differ only in unknown keys are equal and print the same."""
    plain = Message.from_dict({"id": "msg_1"})
    extended = Message.from_dict({"id": "msg_1", "priority": "high"})
    assert plain == extended
    assert repr(plain) == repr(extended)
    assert "priority" not in repr(extended)


@pytest.mark.parametrize(
    "copy_of",
    [
        lambda model: pickle.loads(pickle.dumps(model)),
        lambda model: pickle.loads(pickle.dumps(model, protocol=0)),
        copy.copy,
        copy.deepcopy,
    ],
    ids=["pickle", "pickle-protocol-0", "copy", "deepcopy"],
)
def test_pickle_and_copy_keep_the_unknown_fields(copy_of: Any) -> None:
    """A Celery result or a cached model keeps what the server sent, unknown keys too."""
    sms = {"type": "sms", "value": "+15550100", "verified": None, "carrier": "x"}
    member = Member.from_dict({**MEMBER_WIRE, "tier": {"name": "gold"}, "identities": [sms]})
    again = copy_of(member)
    assert type(again) is Member
    assert again == member
    assert again.to_dict() == member.to_dict()
    assert again.to_dict()["tier"] == {"name": "gold"}
    assert again.to_dict()["identities"] == [sms]
    plain = Member.from_dict(MEMBER_WIRE)
    assert copy_of(plain).to_dict() == plain.to_dict()
    assert copy_of(plain).to_dict().keys() == MEMBER_WIRE.keys()


def test_the_unknown_fields_are_no_attrs_field_and_stay_read_only() -> None:
    """attrs sees only the documented fields; the unknown keys cannot be replaced."""
    member = Member.from_dict({**MEMBER_WIRE, "tier": "gold"})
    assert "_extra" not in attrs.fields_dict(Member)
    assert "tier" not in json.dumps(attrs.asdict(member), default=str)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        member._extra = {}
    assert member.to_dict()["tier"] == "gold"


def test_a_new_model_works_because_it_exists() -> None:
    """A response model defined here, on no list, reads and writes its wire form."""

    @attrs.frozen
    class MarkedRead(ResponseModel):
        message_id: str
        read_at: datetime | None

    read = MarkedRead.from_dict({"messageId": "msg_1", "readAt": "2025-01-01T00:00:00Z", "x": 1})
    assert read == MarkedRead("msg_1", datetime(2025, 1, 1, tzinfo=UTC))
    assert read.to_dict() == {"messageId": "msg_1", "readAt": "2025-01-01T00:00:00Z", "x": 1}


def test_the_round_trip_below_covers_the_public_response_models() -> None:
    """Every model a resource returns is a ResponseModel (and so in the round trip)."""
    names = {cls.__name__ for cls in RESPONSE_MODELS}
    assert {
        "Member",
        "Suppression",
        "SentMessage",
        "MessageDetail",
        "MessageListItem",
        "WorkflowRunRef",
        "WorkflowRun",
    } <= names


# --- property: from_dict(to_dict(x)) == x for every response model ---------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
_OFFSETS = st.integers(-23 * 60, 23 * 60).map(lambda m: timezone(timedelta(minutes=m)))
_DATETIMES = st.datetimes(timezones=st.just(UTC) | _OFFSETS)


def _strategy(hint: Any) -> st.SearchStrategy[Any]:
    """Values of a model field's type."""
    args = typing.get_args(hint)
    if hint is str:
        return st.text(max_size=10)
    if hint is bool:
        return st.booleans()
    if hint is int:
        return st.integers()
    if hint is datetime:
        return _DATETIMES
    if hint is Any:
        return _JSON
    if hint == dict[str, Any]:
        return st.dictionaries(st.text(max_size=5), _JSON, max_size=3)
    if typing.get_origin(hint) is list:
        return st.lists(_strategy(args[0]), max_size=3)
    if type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return st.none() | _strategy(inner)
    hints = typing.get_type_hints(hint)
    fields = {f.name: _strategy(hints[f.name]) for f in attrs.fields(hint) if f.init}
    return st.builds(hint, **fields)


@pytest.mark.parametrize("cls", RESPONSE_MODELS, ids=lambda cls: cls.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_round_trip_through_the_wire_form(cls: type[ResponseModel], data: st.DataObject) -> None:
    """from_dict(to_dict(x)) == x, and to_json() is JSON of to_dict()."""
    model = data.draw(_strategy(cls))
    wire = model.to_dict()
    assert cls.from_dict(wire) == model
    assert json.loads(model.to_json()) == wire
    assert cls.from_dict(json.loads(model.to_json())).to_dict() == wire


@settings(max_examples=25, deadline=None)
@given(page=_strategy(MessageListResponse), extra=st.dictionaries(st.text(max_size=5), _JSON))
def test_round_trip_keeps_unknown_keys(page: MessageListResponse, extra: dict[str, Any]) -> None:
    """Unknown top-level keys come back from to_dict(), after the known ones, unchanged."""
    wire = page.to_dict()
    unknown = {key: value for key, value in extra.items() if key not in wire}
    again = MessageListResponse.from_dict({**wire, **unknown})
    assert again == page
    assert again.to_dict() == {**wire, **unknown}


def test_a_repeated_recipient_is_read_once_and_an_extra_key_stays_with_its_own_item() -> None:
    """Equal recipient JSON in a page gives one shared instance; one with a new key gets its own."""
    from bodies import HISTORY_ITEM, HISTORY_MESSAGE, LIST_RESPONSE, RECIPIENT

    def item(number: int, recipient: dict[str, Any]) -> dict[str, Any]:
        message = {**HISTORY_MESSAGE, "id": f"msg_{number}"}
        return {**HISTORY_ITEM, "message": message, "recipient": recipient}

    grown = {**RECIPIENT, "pronouns": "she/her"}
    items = [
        item(0, dict(RECIPIENT)),
        item(1, dict(RECIPIENT)),
        item(2, grown),
        item(3, dict(RECIPIENT)),
    ]
    page = MessageListResponse.from_dict({**LIST_RESPONSE, "messages": items})
    recipients = [entry.recipient for entry in page.messages]
    assert recipients[0] is recipients[1]
    assert recipients[2] is not recipients[1]
    assert recipients[2].to_dict() == grown
    assert recipients[3] is not None
    assert recipients[3].to_dict() == RECIPIENT
    assert [entry.message.id for entry in page.messages] == ["msg_0", "msg_1", "msg_2", "msg_3"]
