"""Audience members: identify (upsert, revive), get, update, delete, and their validation."""

from __future__ import annotations

import pytest
from bodies import U1

from .harness import Api


def test_identify_creates_member_with_defaults(api: Api) -> None:
    """A member identified by id alone has null name/attributes/email and no identities."""
    response = api.post("/audience/identify", {"externalUserId": "bare"})
    member = response.json()["member"]
    assert member["id"] == "bare"
    assert member["displayName"] is None
    assert member["attributes"] is None
    assert member["identities"] == []
    assert member["email"] is None
    assert member["deleted"] is None
    assert member["lastSeen"] is None


def test_identify_upserts_keeping_absent_fields(api: Api) -> None:
    """A second identify replaces the fields it names and keeps the others and `created`."""
    first = api.identify("u1", displayName="Ava", attributes={"plan": "pro"})
    second = api.post("/audience/identify", {"externalUserId": "u1", "attributes": {"x": 1}})
    member = second.json()["member"]
    assert member["displayName"] == "Ava"
    assert member["attributes"] == {"x": 1}
    assert member["identities"] == first["identities"]
    assert member["created"] == first["created"]
    assert member["updated"] >= first["updated"]


def test_identify_null_clears_display_name_and_attributes(api: Api) -> None:
    """Explicit nulls in identify clear displayName and attributes."""
    api.identify("u1", displayName="Ava", attributes={"plan": "pro"})
    response = api.post(
        "/audience/identify", {"externalUserId": "u1", "displayName": None, "attributes": None}
    )
    member = response.json()["member"]
    assert (member["displayName"], member["attributes"]) == (None, None)


def test_identities_are_normalised(api: Api) -> None:
    """verified defaults to false, duplicates (case-insensitive) collapse, email is the first."""
    member = api.identify(
        "u1",
        identities=[
            {"type": "email", "value": "First@Example.com"},
            {"type": "email", "value": "first@example.com", "verified": True},
            {"type": "email", "value": "second@example.com", "verified": True},
        ],
    )
    assert member["identities"] == [
        {"type": "email", "value": "First@Example.com", "verified": False},
        {"type": "email", "value": "second@example.com", "verified": True},
    ]
    assert member["email"] == "First@Example.com"


def test_get_member_missing_is_null(api: Api) -> None:
    """GET of an unknown member answers 200 {"member": null}."""
    response = api.get("/audience/members/nobody")
    assert (response.status, response.json()) == (200, {"member": None})


def test_delete_is_soft_and_identify_revives(api: Api) -> None:
    """Delete hides the member; identify brings it back with `created` kept and deleted null."""
    created = api.identify("u1", displayName="Ava", attributes={"plan": "pro"})
    assert api.delete("/audience/members/u1").json() == {"id": "u1"}
    assert api.get("/audience/members/u1").json() == {"member": None}
    assert api.delete("/audience/members/u1").json() == {"id": None}
    assert api.put("/audience/members/u1", {"displayName": "x"}).json() == {"member": None}

    revived = api.post("/audience/identify", U1).json()["member"]
    assert revived["deleted"] is None
    assert revived["created"] == created["created"]
    assert revived["displayName"] == "Ava"
    assert api.get("/audience/members/u1").json() == {"member": revived}


def test_delete_unknown_member_is_null(api: Api) -> None:
    """DELETE of an unknown member answers {"id": null}."""
    assert api.delete("/audience/members/ghost").json() == {"id": None}


def test_update_replaces_only_given_fields(api: Api) -> None:
    """PUT replaces the given fields, keeps the rest, and null clears name and attributes."""
    api.identify("u1", displayName="Ava", attributes={"plan": "pro"})
    renamed = api.put("/audience/members/u1", {"displayName": "Eve"}).json()["member"]
    assert renamed["displayName"] == "Eve"
    assert renamed["attributes"] == {"plan": "pro"}
    assert renamed["email"] == "u1@example.com"

    rewired = api.put(
        "/audience/members/u1",
        {"identities": [{"type": "email", "value": "new@example.com", "verified": True}]},
    ).json()["member"]
    assert rewired["email"] == "new@example.com"
    assert rewired["identities"] == [
        {"type": "email", "value": "new@example.com", "verified": True}
    ]

    cleared = api.put("/audience/members/u1", {"displayName": None, "attributes": None}).json()[
        "member"
    ]
    assert (cleared["displayName"], cleared["attributes"]) == (None, None)
    assert cleared["email"] == "new@example.com"

    emptied = api.put("/audience/members/u1", {"identities": []}).json()["member"]
    assert (emptied["identities"], emptied["email"]) == ([], None)


def test_update_missing_member_is_null(api: Api) -> None:
    """PUT of an unknown member answers {"member": null} and creates nothing."""
    assert api.put("/audience/members/ghost", {"displayName": "x"}).json() == {"member": None}
    assert api.get("/audience/members/ghost").json() == {"member": None}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "externalUserId must be a non-empty string"),
        ({"externalUserId": ""}, "externalUserId must be a non-empty string"),
        ({"externalUserId": 7}, "externalUserId must be a non-empty string"),
        ({"externalUserId": "u", "displayName": 3}, "displayName must be a string or null"),
        ({"externalUserId": "u", "attributes": []}, "attributes must be an object or null"),
        ({"externalUserId": "u", "identities": {}}, "identities must be an array"),
        ({"externalUserId": "u", "identities": ["x"]}, "identities[0] must be an object"),
        (
            {"externalUserId": "u", "identities": [{"type": "sms", "value": "1"}]},
            'identities[0].type must be "email"',
        ),
        (
            {"externalUserId": "u", "identities": [{"type": "email", "value": ""}]},
            "identities[0].value must be a non-empty string",
        ),
        (
            {
                "externalUserId": "u",
                "identities": [{"type": "email", "value": "a@b.c", "verified": "yes"}],
            },
            "identities[0].verified must be a boolean",
        ),
    ],
)
def test_identify_validation(api: Api, body: dict, message: str) -> None:
    """identify answers 400 with a message that names the offending field."""
    response = api.post("/audience/identify", body)
    assert response.status == 400
    assert response.error.startswith(message)


def test_update_validation_comes_before_existence(api: Api) -> None:
    """PUT validates its body (400 naming the field) even for an unknown member."""
    response = api.put("/audience/members/ghost", {"attributes": "nope"})
    assert (response.status, response.error) == (400, "attributes must be an object or null")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "request body must be a JSON object"),
        (b"{", "malformed JSON body"),
        (b"[1, 2]", "request body must be a JSON object"),
        (b'{"externalUserId": NaN}', "malformed JSON body"),
        (b"\xff\xfe", "request body is not valid UTF-8"),
    ],
)
def test_malformed_bodies_are_400(api: Api, raw: bytes, message: str) -> None:
    """A body that is not a JSON object answers 400 saying why."""
    response = api.request(
        "POST", "/audience/identify", raw=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status == 400
    assert response.error.startswith(message)
