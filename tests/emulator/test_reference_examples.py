"""Every curl example of the API reference, replayed: the documented shape comes back."""

from __future__ import annotations

import re

from bodies import (
    GET_MESSAGE_RESPONSE,
    LIST_RESPONSE,
    MEMBER,
    NOTIFICATION,
    RECIPIENT,
    RUN_RESPONSE,
    SEND_RESPONSE,
    SUPPRESSION,
)

from chimekit_emulator import EmulatorHandle

from .harness import Api, shape

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def identify_ava(api: Api) -> dict:
    response = api.post(
        "/audience/identify",
        {
            "externalUserId": "user_123",
            "displayName": "Ava Example",
            "identities": [{"type": "email", "value": "ava@example.com", "verified": True}],
            "attributes": {"plan": "pro"},
        },
    )
    assert response.status == 200
    return response.json()


def send_welcome(api: Api) -> dict:
    response = api.post(
        "/messages/send",
        {
            "externalUserId": "user_123",
            "content": {
                "in_app": {
                    "title": "Welcome!",
                    "snippet": "A quick hello from ChimeKit",
                    "body": "Sent from the SDK endpoints.",
                }
            },
        },
    )
    assert response.status == 200
    return response.json()


def test_identify_example(api: Api) -> None:
    """POST /audience/identify answers the documented member, values included."""
    body = identify_ava(api)
    assert shape(body) == shape({"member": MEMBER})
    member = body["member"]
    assert {k: v for k, v in member.items() if k not in ("created", "updated")} == {
        k: v for k, v in MEMBER.items() if k not in ("created", "updated")
    }
    assert TIMESTAMP.fullmatch(member["created"])
    assert member["created"] == member["updated"]


def test_get_member_example(api: Api) -> None:
    """GET /audience/members/user_123 answers the same member."""
    created = identify_ava(api)
    response = api.get("/audience/members/user_123")
    assert response.status == 200
    assert response.json() == created


def test_update_member_example(api: Api) -> None:
    """PUT /audience/members/user_123 answers the updated member."""
    identify_ava(api)
    response = api.put(
        "/audience/members/user_123",
        {"displayName": "Ava Example (Updated)", "attributes": {"plan": "enterprise"}},
    )
    assert response.status == 200
    member = response.json()["member"]
    assert shape(member) == shape(MEMBER)
    assert member["displayName"] == "Ava Example (Updated)"
    assert member["attributes"] == {"plan": "enterprise"}
    assert member["identities"] == MEMBER["identities"]
    assert member["email"] == "ava@example.com"


def test_delete_member_example(api: Api) -> None:
    """DELETE /audience/members/user_123 answers {"id": "user_123"}."""
    identify_ava(api)
    response = api.delete("/audience/members/user_123")
    assert (response.status, response.json()) == (200, {"id": "user_123"})


def test_suppression_examples(api: Api) -> None:
    """Add, list and remove a suppression: documented shapes and an empty body on removal."""
    identify_ava(api)
    added = api.post(
        "/audience/members/user_123/suppressions",
        {"identity": {"type": "email", "value": "ava@example.com"}},
    )
    assert added.status == 200
    suppression = added.json()["suppression"]
    assert shape(added.json()) == shape({"suppression": SUPPRESSION})
    assert suppression["id"].startswith("sup_")
    assert suppression["identity"]["id"].startswith("aid_")
    assert suppression["identity"]["verified"] is True
    assert suppression["reason"] == "opt-out"

    listed = api.get("/audience/members/user_123/suppressions")
    assert listed.status == 200
    assert listed.json() == {"suppressions": [suppression]}
    assert shape(listed.json()) == shape({"suppressions": [SUPPRESSION]})

    removed = api.delete(f"/audience/members/user_123/suppressions/{suppression['id']}")
    assert (removed.status, removed.body) == (200, b"")
    assert removed.headers.get("Content-Type") is None


def test_send_message_example(api: Api) -> None:
    """POST /messages/send with in-app content answers the documented shape, delivery null."""
    identify_ava(api)
    body = send_welcome(api)
    assert shape(body) == shape(SEND_RESPONSE)
    assert body["notification"] | {"id": "not_123"} == NOTIFICATION
    assert body["message"]["memberId"] == body["audienceMember"]["id"]
    assert body["message"]["id"].startswith("msg_")
    assert body["notification"]["id"].startswith("not_")
    assert body["audienceMember"]["id"].startswith("mem_")


def test_get_message_example(api: Api) -> None:
    """GET /messages/{id} answers the nested message.message shape with the recipient."""
    identify_ava(api)
    sent = send_welcome(api)
    response = api.get(f"/messages/{sent['message']['id']}")
    assert response.status == 200
    body = response.json()
    assert shape(body) == shape(GET_MESSAGE_RESPONSE)
    assert body["message"]["message"] == sent["message"]
    assert body["message"]["notification"] == sent["notification"]
    assert body["message"]["recipient"] == RECIPIENT | {"id": sent["audienceMember"]["id"]}


def test_list_messages_example(api: Api) -> None:
    """GET /messages/members/user_123/messages?limit=20&offset=0 answers the documented page."""
    identify_ava(api)
    sent = send_welcome(api)
    response = api.get("/messages/members/user_123/messages?limit=20&offset=0")
    assert response.status == 200
    body = response.json()
    assert shape(body) == shape(LIST_RESPONSE)
    assert body["pagination"] == {"totalCount": 1, "limit": 20, "offset": 0}
    item = body["messages"][0]
    assert item["message"]["id"] == sent["message"]["id"]
    assert item["message"]["snippet"] == "A quick hello from ChimeKit"
    assert item["category"] == {"id": "cat_default", "name": "Default"}


def test_workflow_examples(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """POST /workflows/welcome-sequence/run and GET /workflows/runs/{id}: documented shapes."""
    chimekit_emulator.set_run_schedule(60, 60)  # still queued when read, as in the example
    identify_ava(api)
    queued = api.post(
        "/workflows/welcome-sequence/run",
        {"externalUserId": "user_123", "context": {"utmCampaign": "winter-launch"}},
    )
    assert queued.status == 200
    ref = queued.json()
    assert shape(ref) == shape({"runId": "wr_123", "status": "queued"})
    assert ref["status"] == "queued"
    assert ref["runId"].startswith("wr_")

    response = api.get(f"/workflows/runs/{ref['runId']}")
    assert response.status == 200
    run = response.json()["run"]
    assert shape({"run": run}) == shape(RUN_RESPONSE)
    assert run["workflowKey"] == "welcome-sequence"
    assert run["memberExternalUserId"] == "user_123"
    assert run["context"]["utmCampaign"] == "winter-launch"
    assert run["context"]["apiKeyId"].startswith("key_")
