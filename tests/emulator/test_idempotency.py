"""Idempotency-Key: replays with the stored response, 422 on reuse, per-key scoping."""

from __future__ import annotations

import pytest
from bodies import SEND_U1, SUPPRESS_EMAIL, U1

from chimekit_emulator import EmulatorConfig, EmulatorHandle, EmulatorServer

from .harness import Api


def post(api: Api, path: str, body: dict, key: str) -> tuple[int, dict, str | None]:
    response = api.post(path, body, headers={"Idempotency-Key": key})
    return response.status, response.json(), response.headers.get("Idempotent-Replayed")


def test_replay_returns_the_first_response(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """The same key and body answer the stored response with Idempotent-Replayed: true."""
    api.identify("u1")
    first = api.post("/messages/send", SEND_U1, headers={"Idempotency-Key": "k1"})
    second = api.post("/messages/send", SEND_U1, headers={"Idempotency-Key": "k1"})
    assert first.headers.get("Idempotent-Replayed") is None
    assert second.headers["Idempotent-Replayed"] == "true"
    assert (second.status, second.body) == (first.status, first.body)
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["X-Request-Id"] != first.headers["X-Request-Id"]
    assert len(chimekit_emulator.outbox()) == 1
    assert api.get("/messages/members/u1/messages").json()["pagination"]["totalCount"] == 1


def test_key_order_in_the_body_does_not_matter(api: Api) -> None:
    """A body with the same fields in another order is the same request."""
    api.identify("u1")
    post(api, "/messages/send", SEND_U1, "k1")
    reordered = {"content": SEND_U1["content"], "externalUserId": "u1"}
    status, _, replayed = post(api, "/messages/send", reordered, "k1")
    assert (status, replayed) == (200, "true")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/messages/send", {**SEND_U1, "categoryId": "cat_other"}),
        ("/audience/identify", U1),
    ],
)
def test_reuse_with_different_parameters_is_422(
    api: Api, chimekit_emulator: EmulatorHandle, path: str, body: dict
) -> None:
    """The same key with another body or path answers 422 and creates nothing."""
    api.identify("u1")
    post(api, "/messages/send", SEND_U1, "k1")
    response = api.post(path, body, headers={"Idempotency-Key": "k1"})
    assert response.status == 422
    assert response.error == 'Idempotency-Key "k1" was used with different parameters'
    assert len(chimekit_emulator.outbox()) == 1


def test_errors_are_not_stored(api: Api) -> None:
    """A 404 is not remembered: the same key succeeds once the member exists."""
    status, _, _ = post(api, "/messages/send", SEND_U1, "k1")
    assert status == 404
    api.identify("u1")
    status, body, replayed = post(api, "/messages/send", SEND_U1, "k1")
    assert (status, replayed) == (200, None)
    assert body["message"]["id"].startswith("msg_")


def test_every_post_endpoint_is_idempotent(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """identify, suppressions.add, send and workflow run all replay instead of acting again."""
    chimekit_emulator.set_run_schedule(60, 60)
    calls = [
        ("/audience/identify", {"externalUserId": "u1", "displayName": "A"}),
        ("/audience/members/u1/suppressions", SUPPRESS_EMAIL),
        ("/messages/send", SEND_U1),
        ("/workflows/welcome/run", U1),
    ]
    for index, (path, body) in enumerate(calls):
        first = post(api, path, body, f"key-{index}")
        assert first[0] == 200
        again = post(api, path, body, f"key-{index}")
        assert again == (first[0], first[1], "true")
    assert len(chimekit_emulator.outbox()) == 1


def test_replayed_identify_does_not_undo_later_changes(api: Api) -> None:
    """A replay returns the old response but does not write it back."""
    post(api, "/audience/identify", {"externalUserId": "u1", "displayName": "A"}, "k1")
    api.put("/audience/members/u1", {"displayName": "B"})
    _, body, replayed = post(
        api, "/audience/identify", {"externalUserId": "u1", "displayName": "A"}, "k1"
    )
    assert (body["member"]["displayName"], replayed) == ("A", "true")
    assert api.get("/audience/members/u1").json()["member"]["displayName"] == "B"


def test_keys_are_scoped_per_api_key() -> None:
    """The same Idempotency-Key under two API keys is two different requests."""
    with EmulatorServer(EmulatorConfig(secret_keys=["sk_a", "sk_b"])) as server:
        a = Api(server.base_url, "sk_a")
        b = Api(server.base_url, "sk_b")
        a.identify("u1")
        first = post(a, "/messages/send", SEND_U1, "shared")
        second = post(b, "/messages/send", SEND_U1, "shared")
        assert second[2] is None
        assert first[1]["message"]["id"] != second[1]["message"]["id"]


def test_get_ignores_idempotency_keys(api: Api) -> None:
    """Only POSTs are idempotent; a GET with a key is just a GET."""
    api.identify("u1")
    response = api.get("/audience/members/u1", headers={"Idempotency-Key": "k1"})
    assert response.headers.get("Idempotent-Replayed") is None
    status, _, replayed = post(api, "/audience/identify", U1, "k1")
    assert (status, replayed) == (200, None)


@pytest.mark.parametrize(
    ("key", "message"),
    [(" ", "Idempotency-Key must not be empty"), ("k" * 256, "at most 255 characters")],
)
def test_invalid_keys_are_400(api: Api, key: str, message: str) -> None:
    """An empty or over-long key answers 400."""
    api.identify("u1")
    response = api.post("/messages/send", SEND_U1, headers={"Idempotency-Key": key})
    assert response.status == 400
    assert message in response.error


def test_reset_forgets_keys(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """After a reset a used key is new again."""
    post(api, "/audience/identify", U1, "k1")
    chimekit_emulator.reset()
    _, _, replayed = post(api, "/audience/identify", U1, "k1")
    assert replayed is None


def test_expired_keys_are_forgotten(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key older than 24 hours is treated as new (the server reads the same clock)."""
    from chimekit_emulator import _idempotency

    post(api, "/audience/identify", U1, "k1")
    real_now = _idempotency.now
    monkeypatch.setattr(_idempotency, "now", lambda: real_now() + 24 * 3600 + 1)
    _, _, replayed = post(api, "/audience/identify", U1, "k1")
    assert replayed is None
    assert post(api, "/audience/identify", U1, "k1")[2] == "true"
