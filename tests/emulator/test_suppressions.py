"""Suppressions: add/list/remove, global vs per category, and their effect on email delivery."""

from __future__ import annotations

import pytest

from .harness import Api

EMAIL = {"type": "email", "value": "u1@example.com"}
EMAIL_CONTENT = {"email": {"subject": "Hi", "body": "Hello"}}


def suppress(api: Api, member: str = "u1", **body: object) -> dict:
    body.setdefault("identity", EMAIL)
    response = api.post(f"/audience/members/{member}/suppressions", body)
    assert response.status == 200, response.body
    return response.json()["suppression"]


def test_global_suppression_shape(api: Api) -> None:
    """A suppression without categoryId is global: category null, identity id stable."""
    api.identify("u1")
    suppression = suppress(api)
    assert suppression["category"] is None
    assert suppression["identity"]["type"] == "email"
    assert suppression["identity"]["value"] == "u1@example.com"
    assert suppression["identity"]["verified"] is False
    assert suppression["identity"]["metadata"] is None
    assert suppression["createdAt"] == suppression["updatedAt"]


def test_identical_suppression_is_returned_as_is(api: Api) -> None:
    """Adding the same identity and scope again returns the existing suppression."""
    api.identify("u1")
    first = suppress(api)
    again = suppress(api, identity={"type": "email", "value": "U1@Example.com"})
    assert again == first
    assert len(api.get("/audience/members/u1/suppressions").json()["suppressions"]) == 1


def test_category_suppression_is_separate_and_named(api: Api) -> None:
    """A per-category suppression is its own record; an unknown category is named after its id."""
    api.identify("u1")
    global_one = suppress(api)
    scoped = suppress(api, categoryId="cat_marketing")
    assert scoped["id"] != global_one["id"]
    assert scoped["category"] == {"id": "cat_marketing", "name": "cat_marketing"}
    assert scoped["identity"]["id"] == global_one["identity"]["id"]
    listed = api.get("/audience/members/u1/suppressions").json()["suppressions"]
    assert [s["id"] for s in listed] == [global_one["id"], scoped["id"]]


def test_identity_ids_differ_per_member_and_value(api: Api) -> None:
    """The identity id is stable per member+type+value and differs otherwise."""
    api.identify("u1")
    api.identify("u2")
    a = suppress(api, "u1")["identity"]["id"]
    b = suppress(api, "u2")["identity"]["id"]
    c = suppress(api, "u1", identity={"type": "email", "value": "other@example.com"})
    assert len({a, b, c["identity"]["id"]}) == 3


def test_remove_suppression(api: Api) -> None:
    """DELETE answers 200 with an empty body; a second DELETE is 404."""
    api.identify("u1")
    suppression = suppress(api)
    path = f"/audience/members/u1/suppressions/{suppression['id']}"
    removed = api.delete(path)
    assert (removed.status, removed.body) == (200, b"")
    assert api.get("/audience/members/u1/suppressions").json() == {"suppressions": []}
    again = api.delete(path)
    assert again.status == 404
    assert suppression["id"] in again.error


def test_remove_needs_the_owning_member(api: Api) -> None:
    """A suppression cannot be removed through another member's path."""
    api.identify("u1")
    api.identify("u2")
    suppression = suppress(api, "u1")
    response = api.delete(f"/audience/members/u2/suppressions/{suppression['id']}")
    assert response.status == 404


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/audience/members/ghost/suppressions"),
        ("POST", "/audience/members/ghost/suppressions"),
        ("DELETE", "/audience/members/ghost/suppressions/sup_1"),
    ],
)
def test_unknown_member_is_404(api: Api, method: str, path: str) -> None:
    """Suppression endpoints answer 404 naming the member when it does not exist."""
    body = {"identity": EMAIL} if method == "POST" else None
    response = api.request(method, path, body) if body else api.request(method, path)
    assert response.status == 404
    assert response.error == 'member "ghost" not found'


def test_deleted_member_has_no_suppressions_endpoint(api: Api) -> None:
    """A soft-deleted member is not found by the suppression endpoints."""
    api.identify("u1")
    api.delete("/audience/members/u1")
    assert api.get("/audience/members/u1/suppressions").status == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "identity must be an object"),
        ({"identity": "a@b.c"}, "identity must be an object"),
        ({"identity": {"type": "sms", "value": "1"}}, 'identity.type must be "email"'),
        ({"identity": {"type": "email"}}, "identity.value must be a non-empty string"),
        ({"identity": EMAIL, "categoryId": 5}, "categoryId must be a non-empty string or null"),
        ({"identity": EMAIL, "categoryId": ""}, "categoryId must be a non-empty string or null"),
    ],
)
def test_add_validation(api: Api, body: dict, message: str) -> None:
    """Adding a suppression answers 400 naming the offending field."""
    api.identify("u1")
    response = api.post("/audience/members/u1/suppressions", body)
    assert response.status == 400
    assert response.error.startswith(message)


def test_unsuppressed_email_is_sent(api: Api) -> None:
    """An email to a member with an email identity and no suppression is recorded as sent."""
    api.identify("u1")
    delivery = api.send("u1", content=EMAIL_CONTENT).json()["delivery"]
    assert delivery == {
        "channel": "email",
        "to": "u1@example.com",
        "status": "sent",
        "reason": None,
    }


def test_global_suppression_blocks_every_category(api: Api) -> None:
    """A global suppression stops email in the default and any other category."""
    api.identify("u1")
    suppress(api)
    for category in (None, "cat_news"):
        body = {"content": EMAIL_CONTENT}
        if category:
            body["categoryId"] = category
        delivery = api.send("u1", **body).json()["delivery"]
        assert delivery["status"] == "suppressed"
        assert delivery["reason"] == "suppressed globally"
        assert delivery["to"] == "u1@example.com"


def test_category_suppression_blocks_only_that_category(api: Api) -> None:
    """A per-category suppression stops email in that category only."""
    api.identify("u1")
    suppress(api, categoryId="cat_news")
    blocked = api.send("u1", content=EMAIL_CONTENT, categoryId="cat_news").json()["delivery"]
    assert (blocked["status"], blocked["reason"]) == (
        "suppressed",
        "suppressed for category cat_news",
    )
    allowed = api.send("u1", content=EMAIL_CONTENT, categoryId="cat_other").json()["delivery"]
    assert allowed["status"] == "sent"
    default = api.send("u1", content=EMAIL_CONTENT).json()["delivery"]
    assert default["status"] == "sent"


def test_removing_suppression_restores_delivery(api: Api) -> None:
    """After the suppression is removed the email is sent again; the outbox records both."""
    api.identify("u1")
    suppression = suppress(api)
    assert api.send("u1", content=EMAIL_CONTENT).json()["delivery"]["status"] == "suppressed"
    api.delete(f"/audience/members/u1/suppressions/{suppression['id']}")
    assert api.send("u1", content=EMAIL_CONTENT).json()["delivery"]["status"] == "sent"


def test_suppressing_another_address_does_not_block(api: Api) -> None:
    """Only the member's own email address matters for delivery."""
    api.identify("u1")
    suppress(api, identity={"type": "email", "value": "someone-else@example.com"})
    assert api.send("u1", content=EMAIL_CONTENT).json()["delivery"]["status"] == "sent"


def test_verified_flag_follows_the_member_identity(api: Api) -> None:
    """The suppression's identity.verified mirrors the member's identity."""
    api.identify("u1", identities=[{"type": "email", "value": "v@example.com", "verified": True}])
    suppression = suppress(api, identity={"type": "email", "value": "v@example.com"})
    assert suppression["identity"]["verified"] is True
