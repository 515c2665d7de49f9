"""HTTP behaviour shared by every endpoint: request ids, auth, 404/405, raw-path ids."""

from __future__ import annotations

import re

import pytest
from bodies import U1
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chimekit_emulator import EmulatorHandle

from .harness import Api, segment

REQUEST_ID = re.compile(r"req_[0-9a-f]{24}")


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "/audience/members/u1", {}),
        ("POST", "/audience/identify", {"raw": b"{"}),
        ("GET", "/audience/members/u1", {"key": "wrong"}),
        ("GET", "/audience/members/u1", {"key": None}),
        ("GET", "/nope", {}),
        ("PATCH", "/audience/members/u1", {}),
        ("GET", "/messages/msg_x", {}),
        ("DELETE", "/audience/members/u1/suppressions/sup_x", {}),
        ("GET", "/health", {"prefix": "/_emulator"}),
        ("GET", "/nope", {"prefix": "/_emulator"}),
        ("GET", "/elsewhere", {"prefix": ""}),
    ],
)
def test_every_response_has_a_request_id(api: Api, method: str, path: str, kwargs: dict) -> None:
    """Success, 4xx, admin and unknown paths all carry X-Request-Id: req_<hex>."""
    response = api.request(method, path, **kwargs)
    assert REQUEST_ID.fullmatch(response.headers["X-Request-Id"] or "")


def test_request_ids_are_unique(api: Api) -> None:
    """Each response gets its own request id."""
    ids = {api.get("/audience/members/u1").headers["X-Request-Id"] for _ in range(5)}
    assert len(ids) == 5


def test_missing_token_is_401(api: Api) -> None:
    """No Authorization header: 401 with a JSON error and WWW-Authenticate."""
    response = api.get("/audience/members/u1", key=None)
    assert response.status == 401
    assert "Authorization" in response.error
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer wrong", "Basic c2tfdGVzdF9jaGltZWtpdDo=", "Bearer", "sk_test_chimekit"],
)
def test_bad_token_is_401(api: Api, authorization: str) -> None:
    """Any token that is not an accepted key (or not a Bearer token) is a 401."""
    response = api.get("/audience/members/u1", key=None, headers={"Authorization": authorization})
    assert (response.status, response.error) == (401, "invalid API key")


def test_scheme_is_case_insensitive(api: Api) -> None:
    """ "bearer <key>" is accepted like "Bearer <key>"."""
    response = api.get(
        "/audience/members/u1", key=None, headers={"Authorization": f"bearer {api.secret_key}"}
    )
    assert response.status == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/nope"), ("POST", "/audience/members/u1"), ("GET", "/audience/identify")],
)
def test_auth_comes_before_routing(api: Api, method: str, path: str) -> None:
    """Unknown routes and wrong methods under /sdk/v1 answer 401 without a valid token."""
    assert api.request(method, path, key="wrong").status == 401


def test_unknown_route_is_404(api: Api) -> None:
    """An unknown path answers 404 with a JSON error naming it."""
    response = api.get("/audience/people")
    assert response.status == 404
    assert response.error == "no such endpoint: GET /sdk/v1/audience/people"
    assert api.get("/audience/members/").status == 404
    assert api.get("/audience/members/u1/").status == 404


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/audience/identify", "POST"),
        ("POST", "/audience/members/u1", "GET, PUT, DELETE"),
        ("PUT", "/audience/members/u1/suppressions", "GET, POST"),
        ("GET", "/workflows/welcome/run", "POST"),
        ("DELETE", "/workflows/runs/wr_1", "GET"),
        ("PATCH", "/messages/members/u1/messages", "GET"),
    ],
)
def test_wrong_method_is_405(api: Api, method: str, path: str, allowed: str) -> None:
    """A known path with the wrong method answers 405 with Allow."""
    response = api.request(method, path)
    assert response.status == 405
    assert response.headers["Allow"] == allowed
    assert method in response.error


WEIRD_IDS = [
    "a/b",
    "a?b=c",
    "a#frag",
    "100%",
    "%2F",
    "with space",
    "..",
    ".",
    "../messages/send",
    "ünïcødé-ユーザー",
    "emoji-🔔",
    "line\nbreak",
    "tab\tand\x00nul",
]


@pytest.mark.parametrize("external_id", WEIRD_IDS)
def test_ids_travel_as_one_segment(api: Api, external_id: str) -> None:
    """Percent-encoded ids reach their own member: get, update, suppressions, messages, delete."""
    api.identify(external_id)
    base = f"/audience/members/{segment(external_id)}"
    assert api.get(base).json()["member"]["id"] == external_id
    updated = api.put(base, {"displayName": "x"}).json()["member"]
    assert updated["id"] == external_id
    assert api.get(f"{base}/suppressions").json() == {"suppressions": []}
    api.send(external_id)
    listed = api.get(f"/messages/members/{segment(external_id)}/messages").json()
    assert listed["pagination"]["totalCount"] == 1
    assert api.delete(base).json() == {"id": external_id}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(external_id=st.text(min_size=1, max_size=24))
def test_any_id_round_trips(api: Api, external_id: str) -> None:
    """Whatever the text, an id identified in a body is found again through the path."""
    api.identify(external_id)
    found = api.get(f"/audience/members/{segment(external_id)}").json()["member"]
    assert found["id"] == external_id


def test_dot_segments_are_not_resolved(api: Api) -> None:
    """%2E%2E and a literal .. segment are the member "..", not a parent directory."""
    api.identify("..")
    assert api.get("/audience/members/%2E%2E").json()["member"]["id"] == ".."
    assert api.get("/audience/members/..").json()["member"]["id"] == ".."


def test_encoded_slash_is_not_a_separator(api: Api) -> None:
    """a%2Fb is member "a/b", and a/b (two segments) is another route entirely."""
    api.identify("a/b")
    assert api.get("/audience/members/a%2Fb").json()["member"]["id"] == "a/b"
    assert api.get("/audience/members/a/b").status == 404


def test_lowercase_and_uppercase_escapes_decode_alike(api: Api) -> None:
    """%c3%bc and %C3%BC decode to the same character."""
    api.identify("ü")
    assert api.get("/audience/members/%c3%bc").json()["member"]["id"] == "ü"
    assert api.get("/audience/members/%C3%BC").json()["member"]["id"] == "ü"


def test_invalid_utf8_segment_is_400(api: Api) -> None:
    """A segment that does not decode to UTF-8 answers 400."""
    response = api.get("/audience/members/%FF")
    assert response.status == 400
    assert "not valid percent-encoded UTF-8" in response.error


def test_suppression_id_segment_is_decoded(api: Api) -> None:
    """The suppression id is decoded on its own segment too."""
    api.identify("a/b")
    response = api.delete("/audience/members/a%2Fb/suppressions/sup%2Fx")
    assert (response.status, response.error) == (404, 'suppression "sup/x" not found')


def test_workflow_key_segment_is_decoded(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A workflow key with a slash travels as one segment."""
    chimekit_emulator.set_run_schedule(60, 60)
    api.identify("u1")
    run_id = api.post("/workflows/team%2Fwelcome/run", U1).json()["runId"]
    assert api.get(f"/workflows/runs/{run_id}").json()["run"]["workflowKey"] == "team/welcome"


def test_oversized_body_is_413(api: Api) -> None:
    """A body over 1 MiB answers 413 with a JSON error (after authentication)."""
    body = {"externalUserId": "u", "pad": "x" * 1_100_000}
    response = api.post("/audience/identify", body)
    assert response.status == 413
    assert "larger than" in response.error
    assert api.post("/audience/identify", body, key="wrong").status == 401


def test_admin_api_needs_no_token_and_is_not_under_sdk(api: Api) -> None:
    """/_emulator/health answers without a token; /sdk/v1/_emulator/health is an API 404."""
    health = api.get("/health", prefix="/_emulator", key=None)
    assert (health.status, health.json()) == (200, {"status": "ok"})
    assert api.get("/_emulator/health").status == 404
