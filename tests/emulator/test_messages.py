"""Messages: send (validation, content kinds, delivery), get, and the paginated member listing."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from bodies import U1

from chimekit_emulator import EmulatorConfig, EmulatorHandle, EmulatorServer
from chimekit_emulator._store import MemberRecord, NotificationRecord, Store

from .harness import Api


def test_template_content(api: Api) -> None:
    """Template content records the template ids and variables as payload, with no notification."""
    api.identify("u1")
    body = api.send(
        "u1",
        content={"templateId": "tpl_1", "templateVersionId": "tv_2", "variables": {"n": 1}},
    ).json()
    message = body["message"]
    assert (message["templateId"], message["templateVersionId"]) == ("tpl_1", "tv_2")
    assert message["payload"] == {"n": 1}
    assert body["notification"] is None
    assert body["delivery"] is None


def test_in_app_and_email_content(api: Api) -> None:
    """Both channels: a notification with every field, and an email delivery record."""
    api.identify("u1")
    body = api.send(
        "u1",
        content={
            "in_app": {"title": "T", "snippet": "S", "body": "B", "actions": [{"label": "Go"}]},
            "email": {"subject": "Hi", "html": "<p>Hi</p>"},
            "variables": {"plan": "pro"},
        },
    ).json()
    assert body["notification"] | {"id": None} == {
        "id": None,
        "title": "T",
        "snippet": "S",
        "body": "B",
        "actions": [{"label": "Go"}],
        "readAt": None,
        "archivedAt": None,
    }
    assert body["delivery"]["status"] == "sent"
    assert body["message"]["payload"] == {"plan": "pro"}
    assert body["message"]["templateId"] is None


def test_email_without_identity_is_skipped(api: Api) -> None:
    """Email to a member without an email identity is recorded as skipped."""
    api.post("/audience/identify", {"externalUserId": "noemail"})
    delivery = api.send("noemail", content={"email": {"subject": "Hi"}}).json()["delivery"]
    assert delivery == {
        "channel": "email",
        "to": None,
        "status": "skipped",
        "reason": "no email identity",
    }


def test_in_app_template_reference(api: Api) -> None:
    """An in_app channel may reference a template instead of giving a title."""
    api.identify("u1")
    response = api.send("u1", content={"in_app": {"templateId": "tpl_inapp"}})
    assert response.status == 200
    assert response.json()["notification"]["title"] == "tpl_inapp"


def test_categories(api: Api) -> None:
    """The default category is cat_default; an unknown category is created, named after its id."""
    api.identify("u1")
    default = api.send("u1").json()["message"]
    assert default["categoryId"] == "cat_default"
    product = api.send("u1", categoryId="cat_product").json()["message"]
    assert product["categoryId"] == "cat_product"
    items = api.get("/messages/members/u1/messages").json()["messages"]
    assert [item["category"] for item in items] == [
        {"id": "cat_product", "name": "cat_product"},
        {"id": "cat_default", "name": "Default"},
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"content": {"in_app": {"title": "x"}}}, "externalUserId must be a non-empty string"),
        (U1, "content must be an object"),
        ({"externalUserId": "u1", "content": "hi"}, "content must be an object"),
        ({"externalUserId": "u1", "content": {}}, "content must have either templateId"),
        (
            {"externalUserId": "u1", "content": {"variables": {"a": 1}}},
            "content must have either templateId",
        ),
        (
            {"externalUserId": "u1", "content": {"templateId": "t", "in_app": {"title": "x"}}},
            "content must have either templateId or channels (in_app, email), not both",
        ),
        (
            {"externalUserId": "u1", "content": {"templateId": ""}},
            "content.templateId must be a non-empty string",
        ),
        (
            {"externalUserId": "u1", "content": {"templateId": "t", "templateVersionId": 3}},
            "content.templateVersionId must be a non-empty string or null",
        ),
        (
            {"externalUserId": "u1", "content": {"in_app": "x"}},
            "content.in_app must be an object",
        ),
        (
            {"externalUserId": "u1", "content": {"in_app": {"snippet": "s"}}},
            "content.in_app.title must be a non-empty string",
        ),
        (
            {"externalUserId": "u1", "content": {"in_app": {"title": "t", "body": 1}}},
            "content.in_app.body must be a string or null",
        ),
        (
            {"externalUserId": "u1", "content": {"in_app": {"title": "t", "actions": "go"}}},
            "content.in_app.actions must be an array, an object or null",
        ),
        (
            {"externalUserId": "u1", "content": {"email": {"body": "b"}}},
            "content.email.subject must be a non-empty string",
        ),
        (
            {"externalUserId": "u1", "content": {"email": {"subject": "s", "html": 1}}},
            "content.email.html must be a string or null",
        ),
        (
            {"externalUserId": "u1", "content": {"email": {"subject": "s"}, "variables": []}},
            "content.variables must be an object or null",
        ),
        (
            {"externalUserId": "u1", "content": {"templateId": "t"}, "categoryId": 1},
            "categoryId must be a non-empty string or null",
        ),
    ],
)
def test_send_validation(api: Api, body: dict, message: str) -> None:
    """An invalid send answers 400 naming the field, and creates nothing."""
    api.identify("u1")
    response = api.post("/messages/send", body)
    assert response.status == 400
    assert response.error.startswith(message)
    assert api.get("/messages/members/u1/messages").json()["pagination"]["totalCount"] == 0


def test_send_to_unknown_or_deleted_member_is_404(api: Api) -> None:
    """Sending to a member that does not exist or is deleted answers 404 naming it."""
    missing = api.send("ghost")
    assert (missing.status, missing.error) == (404, 'member "ghost" not found')
    api.identify("gone")
    api.delete("/audience/members/gone")
    assert api.send("gone").status == 404


def test_outbox_records_each_message(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """Every created message is in the outbox, content as sent, with the idempotency key."""
    api.identify("u1")
    content = {"email": {"subject": "Hi"}, "variables": {"x": 1}}
    sent = api.send("u1", content=content, headers={"Idempotency-Key": "k-1"}).json()
    api.send("u1")
    outbox = chimekit_emulator.outbox()
    assert len(outbox) == 2
    first = outbox[0]
    assert first["messageId"] == sent["message"]["id"]
    assert first["externalUserId"] == "u1"
    assert first["memberId"] == sent["audienceMember"]["id"]
    assert first["categoryId"] == "cat_default"
    assert first["content"] == content
    assert first["delivery"] == sent["delivery"]
    assert first["idempotencyKey"] == "k-1"
    assert first["createdAt"] == sent["message"]["createdAt"]
    assert outbox[1]["idempotencyKey"] is None


def test_get_message_reflects_current_recipient(api: Api) -> None:
    """GET /messages/{id} shows the recipient's current profile."""
    api.identify("u1", displayName="Ava")
    message_id = api.send("u1").json()["message"]["id"]
    api.put("/audience/members/u1", {"displayName": "Eve"})
    recipient = api.get(f"/messages/{message_id}").json()["message"]["recipient"]
    assert recipient["displayName"] == "Eve"
    assert recipient["externalUserId"] == "u1"


def test_get_unknown_message_is_404(api: Api) -> None:
    """GET of an unknown message answers 404 naming it."""
    response = api.get("/messages/msg_nope")
    assert (response.status, response.error) == (404, 'message "msg_nope" not found')


def test_listing_is_newest_first_with_stable_ties(api: Api) -> None:
    """Messages sent within the same millisecond still list in reverse send order."""
    api.identify("u1")
    sent = [api.send("u1").json()["message"]["id"] for _ in range(12)]
    listed = api.get("/messages/members/u1/messages?limit=100").json()["messages"]
    assert [item["message"]["id"] for item in listed] == sent[::-1]


def test_listing_limit_offset_and_total(api: Api) -> None:
    """limit and offset page through the list; totalCount is the member's total."""
    api.identify("u1")
    api.identify("u2")
    sent = [api.send("u1").json()["message"]["id"] for _ in range(5)]
    api.send("u2")
    newest_first = sent[::-1]
    page = api.get("/messages/members/u1/messages?limit=2&offset=1").json()
    assert [item["message"]["id"] for item in page["messages"]] == newest_first[1:3]
    assert page["pagination"] == {"totalCount": 5, "limit": 2, "offset": 1}
    beyond = api.get("/messages/members/u1/messages?offset=10").json()
    assert beyond == {"messages": [], "pagination": {"totalCount": 5, "limit": 20, "offset": 10}}


def test_listing_summary_snippet_and_delivery(api: Api) -> None:
    """Items carry the notification snippet (or null) and the delivery record."""
    api.identify("u1")
    api.send("u1", content={"in_app": {"title": "t", "snippet": "snip"}})
    api.send("u1", content={"email": {"subject": "s"}})
    items = api.get("/messages/members/u1/messages").json()["messages"]
    assert items[0]["message"]["snippet"] is None
    assert items[0]["delivery"]["status"] == "sent"
    assert items[1]["message"]["snippet"] == "snip"
    assert items[1]["delivery"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=0", "limit must be an integer between 1 and 100"),
        ("limit=101", "limit must be an integer between 1 and 100"),
        ("limit=abc", "limit must be an integer between 1 and 100"),
        ("limit=1.5", "limit must be an integer between 1 and 100"),
        ("limit=", "limit must be an integer between 1 and 100"),
        ("limit=-1", "limit must be an integer between 1 and 100"),
        ("limit=1&limit=2", "limit must be an integer between 1 and 100"),
        ("offset=-1", "offset must be an integer >= 0"),
        ("offset=x", "offset must be an integer >= 0"),
        ("offset=%201", "offset must be an integer >= 0"),
    ],
)
def test_listing_bad_parameters_are_400(api: Api, query: str, message: str) -> None:
    """Out-of-range or non-integer limit/offset answer 400 naming the parameter."""
    api.identify("u1")
    response = api.get(f"/messages/members/u1/messages?{query}")
    assert (response.status, response.error) == (400, message)


def test_listing_unknown_member_is_404(api: Api) -> None:
    """Listing the messages of an unknown member answers 404."""
    response = api.get("/messages/members/ghost/messages")
    assert (response.status, response.error) == (404, 'member "ghost" not found')


def seed_messages(path: Path, count: int) -> None:
    """Write ``count`` messages for member big straight into a data file."""
    store = Store(path)
    try:
        with store.transaction():
            member = store.save_member(
                MemberRecord(
                    None,
                    "mem_big",
                    "big",
                    None,
                    None,
                    [],
                    "2025-01-01T00:00:00.000Z",
                    "2025-01-01T00:00:00.000Z",
                    None,
                )
            )
            assert member.pk is not None
            for n in range(count):
                store.insert_message(
                    message_id=f"msg_{n:05d}",
                    member_pk=member.pk,
                    category_id="cat_default",
                    template_id=None,
                    template_version_id=None,
                    payload={},
                    content={"in_app": {"title": f"#{n}"}},
                    delivery=None,
                    idempotency_key=None,
                    created_at="2025-01-01T00:00:00.000Z",
                    notification=NotificationRecord(
                        f"not_{n:05d}", f"#{n}", f"snippet {n}", None, None, None, None
                    ),
                )
    finally:
        store.close()


def test_listing_is_efficient_for_ten_thousand_messages(tmp_path: Path) -> None:
    """Deep pages of a 10,000-message member come back quickly, via the member+sequence index."""
    data = tmp_path / "big.sqlite"
    seed_messages(data, 10_000)
    with sqlite3.connect(data) as connection:
        plan = " ".join(
            str(row[-1])
            for row in connection.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM messages WHERE member_pk = 1"
                " ORDER BY seq DESC LIMIT 10 OFFSET 9990"
            )
        )
    connection.close()
    assert "messages_by_member" in plan
    assert "TEMP B-TREE" not in plan

    with EmulatorServer(EmulatorConfig(data_path=data)) as server:
        api = Api(server.base_url, server.secret_key)
        started = time.monotonic()
        for offset in (0, 5_000, 9_990):
            page = api.get(f"/messages/members/big/messages?limit=100&offset={offset}").json()
            assert page["pagination"]["totalCount"] == 10_000
            first = page["messages"][0]["message"]
            assert first["id"] == f"msg_{9_999 - offset:05d}"
            assert first["snippet"] == f"snippet {9_999 - offset}"
        assert time.monotonic() - started < 5  # generous: each page is a few milliseconds
