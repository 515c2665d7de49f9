"""Drift rules: the emulator imitates API drift (fields omitted, nulled, added, enum values
changed) on the real socket, by path, count and probability."""

from __future__ import annotations

import pytest
from bodies import SEND_U1, U1

from chimekit_emulator import EmulatorHandle, FaultRule

from .harness import Api

HISTORY = "^/messages/members/u1/messages"


def _history_with(api: Api, count: int) -> None:
    api.identify("u1")
    for _ in range(count):
        assert api.post("/messages/send", SEND_U1).status == 200


def test_omit_a_field_in_every_list_item(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """omit with * removes the field from every history item; the rest is untouched."""
    _history_with(api, 3)
    before = api.get("/messages/members/u1/messages").json()
    chimekit_emulator.add_fault(path=HISTORY, drift="omit", field="messages.*.message.snippet")
    after = api.get("/messages/members/u1/messages").json()
    for item in before["messages"]:
        del item["message"]["snippet"]
    assert after == before


def test_null_a_field(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """null sets the field to null and keeps the key."""
    api.identify("u1")
    chimekit_emulator.add_fault(
        path="^/audience/members/u1$", drift="null", field="member.identities"
    )
    member = api.get("/audience/members/u1").json()["member"]
    assert "identities" in member
    assert member["identities"] is None
    assert member["id"] == "u1"


def test_add_unknown_fields(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """add puts a new field at each path, with the given value or "unknown" by default."""
    api.identify("u1")
    chimekit_emulator.add_fault(
        path="^/audience/members/u1$",
        drift="add",
        field=["member.tier", "apiVersion"],
        value={"level": 3},
    )
    chimekit_emulator.add_fault(path="^/audience/identify$", drift="add", field="member.badge")
    body = api.get("/audience/members/u1").json()
    assert (body["member"]["tier"], body["apiVersion"]) == ({"level": 3}, {"level": 3})
    identified = api.post("/audience/identify", U1).json()
    assert identified["member"]["badge"] == "unknown"


def test_change_an_enum_value(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """enum replaces a string value (dispatchStatus, a run's status) with an unknown one."""
    api.identify("u1")
    chimekit_emulator.add_fault(
        path="^/messages/send$", drift="enum", field="message.dispatchStatus", value="deferred"
    )
    sent = api.post("/messages/send", SEND_U1).json()
    assert sent["message"]["dispatchStatus"] == "deferred"
    run_id = api.post("/workflows/w/run", U1).json()["runId"]
    chimekit_emulator.add_fault(path="^/workflows/runs/", drift="enum", field="run.status")
    assert api.get(f"/workflows/runs/{run_id}").json()["run"]["status"] == "unknown_enum_value"


def test_times_limits_the_drift(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """times=2: the next two answers drift, the third is whole; the journal names the rule."""
    api.identify("u1")
    rule_id = chimekit_emulator.add_fault(
        path="^/audience/members/u1$", drift="omit", field="member.lastSeen", times=2
    )
    seen = ["lastSeen" in api.get("/audience/members/u1").json()["member"] for _ in range(3)]
    assert seen == [False, False, True]
    entries = [e for e in chimekit_emulator.journal() if e["method"] == "GET"]
    assert [(e["fault"], e["faultId"], e["status"]) for e in entries] == [
        ("drift", rule_id, 200),
        ("drift", rule_id, 200),
        (None, None, 200),
    ]


def test_probability_with_a_seed_is_reproducible(
    api: Api, chimekit_emulator: EmulatorHandle
) -> None:
    """probability and seed: the same seed drifts the same requests, about that often."""
    api.identify("u1")

    def pattern() -> list[bool]:
        chimekit_emulator.clear_faults()
        chimekit_emulator.add_fault(
            path="^/audience/members/u1$",
            drift="null",
            field="member.email",
            probability=0.5,
            seed=7,
        )
        return [
            api.get("/audience/members/u1").json()["member"]["email"] is None for _ in range(20)
        ]

    first = pattern()
    assert first == pattern()
    assert 3 <= sum(first) <= 17


def test_numeric_index_and_missing_paths(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A number picks one list item; a path that leads nowhere changes nothing and is no error."""
    _history_with(api, 2)
    chimekit_emulator.add_fault(
        path=HISTORY, drift="omit", field=["messages.0.delivery", "no.such.path", "messages.9.x"]
    )
    items = api.get("/messages/members/u1/messages").json()["messages"]
    assert ["delivery" in item for item in items] == [False, True]


def test_omit_a_list_element(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """omit on a list element removes it: the page is one item shorter, totalCount unchanged."""
    _history_with(api, 3)
    chimekit_emulator.add_fault(path=HISTORY, drift="omit", field="messages.0")
    body = api.get("/messages/members/u1/messages").json()
    assert (len(body["messages"]), body["pagination"]["totalCount"]) == (2, 3)


def test_error_bodies_change_only_where_the_path_leads(
    api: Api, chimekit_emulator: EmulatorHandle
) -> None:
    """Error bodies are JSON too: a path into them changes them, any other leaves them whole."""
    chimekit_emulator.add_fault(path="^/messages/send$", drift="null", field="error")
    response = api.post("/messages/send", SEND_U1)
    assert (response.status, response.json()) == (404, {"error": None})
    chimekit_emulator.clear_faults()
    chimekit_emulator.add_fault(path="^/messages/send$", drift="omit", field="message.id")
    response = api.post("/messages/send", SEND_U1)
    assert (response.status, response.error) == (404, 'member "u1" not found')


def test_idempotent_replay_stores_the_true_answer(
    api: Api, chimekit_emulator: EmulatorHandle
) -> None:
    """Drift changes the wire only: a replay of the same key gets the whole stored answer."""
    api.identify("u1")
    chimekit_emulator.add_fault(path="^/messages/send$", drift="omit", field="message", times=1)
    key = {"Idempotency-Key": "k-drift"}
    drifted = api.post("/messages/send", SEND_U1, headers=key).json()
    replayed = api.post("/messages/send", SEND_U1, headers=key).json()
    assert "message" not in drifted
    assert replayed["message"]["id"].startswith("msg_")
    assert {k: v for k, v in replayed.items() if k != "message"} == drifted


def test_rules_from_the_config_and_the_listing(chimekit_emulator: EmulatorHandle) -> None:
    """A drift rule round-trips through the admin API with its fields."""
    chimekit_emulator.add_fault(
        FaultRule(path="^/x$", drift="enum", field="a.status", value="new", times=1)
    )
    (listed,) = chimekit_emulator.faults()
    assert {k: v for k, v in listed.items() if k != "id"} == {
        "path": "^/x$",
        "drift": "enum",
        "field": "a.status",
        "value": "new",
        "times": 1,
        "remaining": 1,
        "fired": 0,
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"drift": "rename", "field": "a"}, "drift must be one of omit, null, add, enum"),
        ({"drift": "omit"}, "a drift rule needs field: a dotted path or a list of them"),
        ({"drift": "omit", "field": "a..b"}, "field must be a dotted path of non-empty names"),
        ({"drift": "omit", "field": []}, "a drift rule needs field: a dotted path or a list"),
        ({"drift": "add", "field": "a.*"}, 'field of an "add" drift must end in the name'),
        ({"drift": "omit", "field": "a", "value": 1}, 'value only applies to drift "add"'),
        ({"drift": "omit", "field": "a", "status": 500}, "a rule takes one of status, fault"),
        ({"field": "a", "status": 500}, "field and value only apply to a rule with a drift"),
    ],
)
def test_invalid_drift_rules(
    api: Api, chimekit_emulator: EmulatorHandle, fields: dict[str, object], message: str
) -> None:
    """Invalid drift rules fail before sending (ValueError) and on the admin API (400)."""
    with pytest.raises(ValueError, match="^" + message.replace("*", r"\*").replace(".", r"\.")):
        chimekit_emulator.add_fault(**fields)
    response = api.post("/faults", fields, prefix="/_emulator")
    assert response.status == 400
    assert response.error.startswith(message)
