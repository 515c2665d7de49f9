"""The admin API: health, reset, journal, outbox, config, faults, and its own errors."""

from __future__ import annotations

import pytest
from bodies import U1

from chimekit_emulator import EmulatorControl, EmulatorError, EmulatorHandle

from .harness import Api


def admin(api: Api, method: str, path: str, body: object = None) -> tuple[int, object]:
    kwargs = {"prefix": "/_emulator", "key": None}
    response = (
        api.request(method, path, body, **kwargs)
        if body is not None
        else api.request(method, path, **kwargs)
    )
    return response.status, (response.json() if response.body else None)


def test_health(chimekit_emulator: EmulatorHandle) -> None:
    """health answers {"status": "ok"}."""
    assert chimekit_emulator.health() == {"status": "ok"}


def test_reset_clears_everything(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """reset forgets members, messages, runs, keys, journal, outbox, faults and the schedule."""
    api.identify("u1")
    api.send("u1", headers={"Idempotency-Key": "k"})
    run_id = api.post("/workflows/w/run", U1).json()["runId"]
    chimekit_emulator.add_fault(path="^/nothing$", status=500)
    chimekit_emulator.set_run_schedule(9, 9)
    chimekit_emulator.reset()
    assert chimekit_emulator.journal() == []
    assert chimekit_emulator.outbox() == []
    assert chimekit_emulator.faults() == []
    assert admin(api, "GET", "/config")[1] == {
        "runQueuedSeconds": 0.2,
        "runRunningSeconds": 0.2,
        "rateLimit": None,
    }
    assert api.get("/audience/members/u1").json() == {"member": None}
    assert api.get(f"/workflows/runs/{run_id}").status == 404
    api.identify("u1")
    assert (
        api.send("u1", headers={"Idempotency-Key": "k"}).headers.get("Idempotent-Replayed") is None
    )


def test_journal_records_api_requests(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """API requests are journaled (raw path, redacted token, body, status); admin ones are not."""
    api.identify("u1")
    api.get("/messages/members/u1/messages?limit=5&offset=0")
    api.get("/audience/members/a%2Fb")
    chimekit_emulator.health()
    entries = chimekit_emulator.journal()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/sdk/v1/audience/identify", 200),
        ("GET", "/sdk/v1/messages/members/u1/messages?limit=5&offset=0", 200),
        ("GET", "/sdk/v1/audience/members/a%2Fb", 200),
    ]
    first = entries[0]
    assert first["headers"]["Authorization"] == "Bearer [redacted]"
    assert api.secret_key not in str(entries)
    assert '"externalUserId": "u1"' in first["body"]
    assert entries[1]["body"] is None
    assert first["fault"] is None
    assert first["requestId"].startswith("req_")
    assert first["time"].endswith("Z")


def test_journal_records_rejected_requests(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """Requests that fail (401, 404, 400) are journaled with their status."""
    api.get("/audience/members/u1", key="wrong")
    api.get("/nowhere")
    api.request("POST", "/audience/identify", raw=b"not json")
    assert [e["status"] for e in chimekit_emulator.journal()] == [401, 404, 400]
    assert chimekit_emulator.journal()[0]["headers"]["Authorization"] == "Bearer [redacted]"
    assert chimekit_emulator.journal()[2]["body"] == "not json"


def test_clear_journal(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """clear_journal empties the journal only."""
    api.identify("u1")
    chimekit_emulator.clear_journal()
    assert chimekit_emulator.journal() == []
    assert api.get("/audience/members/u1").json()["member"]["id"] == "u1"


def test_config_endpoint(api: Api) -> None:
    """POST config changes the run schedule; GET reads it; bad values are 400."""
    assert admin(api, "POST", "/config", {"runQueuedSeconds": 1.5}) == (
        200,
        {"runQueuedSeconds": 1.5, "runRunningSeconds": 0.2, "rateLimit": None},
    )
    assert admin(api, "GET", "/config")[1] == {
        "runQueuedSeconds": 1.5,
        "runRunningSeconds": 0.2,
        "rateLimit": None,
    }
    status, body = admin(api, "POST", "/config", {"runRunningSeconds": -1})
    assert status == 400
    assert body == {"error": "runRunningSeconds must be a number of seconds >= 0"}


def test_faults_endpoints_shape(api: Api) -> None:
    """POST faults answers {"id"}; GET lists rules with id, remaining and fired."""
    status, created = admin(api, "POST", "/faults", {"path": "^/x$", "status": 500, "times": 3})
    assert status == 200
    assert isinstance(created, dict)
    status, listed = admin(api, "GET", "/faults")
    assert listed == {
        "faults": [
            {
                "id": created["id"],
                "path": "^/x$",
                "status": 500,
                "times": 3,
                "remaining": 3,
                "fired": 0,
            }
        ]
    }
    assert admin(api, "DELETE", f"/faults/{created['id']}") == (200, {"id": created["id"]})
    assert admin(api, "DELETE", "/faults") == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nope", 404),
        ("GET", "/reset", 405),
        ("POST", "/health", 405),
        ("DELETE", "/outbox", 405),
        ("DELETE", "/faults/flt_missing", 404),
    ],
)
def test_admin_errors(api: Api, method: str, path: str, status: int) -> None:
    """The admin API answers unknown paths with 404 and wrong methods with 405, as JSON."""
    got, body = admin(api, method, path)
    assert got == status
    assert isinstance(body, dict)
    assert "error" in body


def test_admin_bad_json_is_400(api: Api) -> None:
    """A malformed admin body answers 400."""
    response = api.request("POST", "/faults", raw=b"{", prefix="/_emulator", key=None)
    assert response.status == 400
    assert response.error.startswith("malformed JSON body")


def test_control_reports_unreachable_emulator() -> None:
    """EmulatorControl raises EmulatorError when nothing listens at the address."""
    control = EmulatorControl("http://127.0.0.1:9/_emulator", timeout=2)
    with pytest.raises(EmulatorError, match="cannot reach the emulator"):
        control.health()


def test_control_rejects_non_http_urls() -> None:
    """EmulatorControl only talks http(s)."""
    with pytest.raises(ValueError, match="http"):
        EmulatorControl("file:///etc/passwd")


def test_control_ignores_proxy_settings(
    chimekit_emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Admin calls go straight to the emulator even with HTTP(S)_PROXY set."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    assert EmulatorControl(chimekit_emulator.admin_url).health() == {"status": "ok"}


def test_add_fault_needs_a_rule_or_fields(chimekit_emulator: EmulatorHandle) -> None:
    """add_fault with neither a rule nor fields is a TypeError."""
    with pytest.raises(TypeError):
        chimekit_emulator.add_fault()


def test_members_lists_every_member_once(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """members lists each member once in creation order, a re-identified one too, deleted ones marked."""
    api.identify("u1", displayName="Ada")
    api.identify("u2")
    api.identify("u1", displayName="Ada L.")
    assert api.delete("/audience/members/u2").status == 200
    members = chimekit_emulator.members()
    assert [(m["externalUserId"], m["displayName"]) for m in members] == [
        ("u1", "Ada L."),
        ("u2", None),
    ]
    assert [m["id"][:4] for m in members] == ["mem_", "mem_"]
    assert members[0]["id"] != members[1]["id"]
    assert members[0]["deleted"] is None
    assert isinstance(members[1]["deleted"], str)
    chimekit_emulator.reset()
    assert chimekit_emulator.members() == []
