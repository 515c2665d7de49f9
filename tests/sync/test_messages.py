# GENERATED from tests/async_/test_messages.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Sending messages and reading them back."""

from __future__ import annotations

import json

import pytest
from support import sdk_requests

from chimekit_emulator import EmulatorHandle
from chimekit_sync import (
    ChannelContent,
    ChimeKit,
    EmailContent,
    EmailIdentity,
    InAppContent,
    MessageDetail,
    NotFoundError,
    SentMessage,
    TemplateContent,
)


def test_send_in_app_then_get(chimekit: ChimeKit) -> None:
    """An in-app message creates a notification; get returns the flattened detail."""
    chimekit.audience.identify("user_1", display_name="Ava")
    sent = chimekit.messages.send(
        "user_1",
        content=ChannelContent(in_app=InAppContent(title="Welcome!", snippet="Hi", body="Body")),
    )
    assert isinstance(sent, SentMessage)
    assert sent.notification is not None
    assert sent.notification.title == "Welcome!"
    assert sent.message.source == "sdk"
    assert sent.audience_member is not None
    assert sent.audience_member.id == sent.message.member_id
    detail = chimekit.messages.get(sent.message.id)
    assert isinstance(detail, MessageDetail)
    assert detail.message == sent.message
    assert detail.recipient is not None
    assert detail.recipient.external_user_id == "user_1"
    assert detail.recipient.display_name == "Ava"


def test_send_wire_shape(chimekit: ChimeKit, chimekit_emulator: EmulatorHandle) -> None:
    """Channel content is sent with the API's keys (in_app, templateId) and no None fields."""
    chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    chimekit.messages.send(
        "user_1",
        content=ChannelContent(
            in_app=InAppContent(title="T"), email=EmailContent(subject="S", body="B")
        ),
        category_id="product",
    )
    body = json.loads(sdk_requests(chimekit_emulator.journal())[-1]["body"])
    assert body == {
        "externalUserId": "user_1",
        "content": {"in_app": {"title": "T"}, "email": {"subject": "S", "body": "B"}},
        "categoryId": "product",
    }
    chimekit.messages.send("user_1", content=TemplateContent("tmpl_1", variables={"name": "Ava"}))
    body = json.loads(sdk_requests(chimekit_emulator.journal())[-1]["body"])
    assert body["content"] == {"templateId": "tmpl_1", "variables": {"name": "Ava"}}


def test_email_is_delivered_and_recorded_in_outbox(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """An email channel message reaches the member's email identity."""
    chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    sent = chimekit.messages.send("user_1", content={"email": {"subject": "Hello", "body": "x"}})
    assert sent.delivery is not None
    assert sent.delivery["status"] == "sent"
    outbox = chimekit_emulator.outbox()
    assert [entry["messageId"] for entry in outbox] == [sent.message.id]


def test_send_to_unknown_member_is_not_found(chimekit: ChimeKit) -> None:
    """Sending to a member that does not exist raises NotFoundError."""
    with pytest.raises(NotFoundError):
        chimekit.messages.send("ghost", content=ChannelContent(in_app=InAppContent(title="x")))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ChannelContent(), "at least one channel"),
        ({"templateId": "t", "in_app": {"title": "x"}}, "not both"),
        ({}, "templateId or at least one channel"),
        (TemplateContent(""), "template_id"),
        ("hello", "content must be"),
    ],
)
def test_bad_content_fails_before_any_request(
    chimekit: ChimeKit,
    chimekit_emulator: EmulatorHandle,
    content: object,
    message: str,
) -> None:
    """Content with no channel, or with both a template and channels, is refused client-side."""
    with pytest.raises((ValueError, TypeError), match=message):
        chimekit.messages.send("user_1", content=content)  # type: ignore[arg-type]
    assert sdk_requests(chimekit_emulator.journal()) == []


def test_get_unknown_message(chimekit: ChimeKit) -> None:
    """An unknown message id is a NotFoundError; an empty one a ValueError."""
    with pytest.raises(NotFoundError):
        chimekit.messages.get("msg_missing")
    with pytest.raises(ValueError, match="message_id"):
        chimekit.messages.get("")
