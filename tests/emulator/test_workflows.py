"""Workflow runs: queueing, the queued -> running -> completed schedule, and admin advance."""

from __future__ import annotations

import pytest

from chimekit_emulator import EmulatorConfig, EmulatorError, EmulatorHandle, EmulatorServer

from .harness import Api, wait_until


def start_run(api: Api, key: str = "welcome", **body: object) -> str:
    response = api.post(f"/workflows/{key}/run", {"externalUserId": "u1", **body})
    assert response.status == 200, response.body
    assert response.json()["status"] == "queued"
    return str(response.json()["runId"])


def get_run(api: Api, run_id: str) -> dict:
    response = api.get(f"/workflows/runs/{run_id}")
    assert response.status == 200
    return response.json()["run"]


def test_run_follows_the_default_schedule(api: Api) -> None:
    """With the default 0.2 s + 0.2 s schedule a run ends completed with both times set."""
    api.identify("u1")
    run_id = start_run(api)
    first = get_run(api, run_id)
    assert first["status"] in ("queued", "running")
    wait_until(lambda: get_run(api, run_id)["status"] == "completed")
    run = get_run(api, run_id)
    assert run["createdAt"] <= run["startedAt"] <= run["finishedAt"]


def test_run_statuses_in_order(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """A run observed over time goes queued, running, completed and never back."""
    chimekit_emulator.set_run_schedule(0.15, 0.15)
    api.identify("u1")
    run_id = start_run(api)
    seen: list[str] = []

    def completed() -> bool:
        status = get_run(api, run_id)["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        return status == "completed"

    wait_until(completed)
    assert seen[-1] == "completed"
    assert seen == sorted(seen, key=["queued", "running", "completed"].index)


def test_run_fields(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """Run metadata: workflow ids stable per key, member ids, context with the API key id."""
    chimekit_emulator.set_run_schedule(60, 60)
    member = api.identify("u1")
    api.send("u1")
    one = get_run(api, start_run(api, "onboarding", context={"a": 1, "apiKeyId": "mine"}))
    two = get_run(api, start_run(api, "onboarding"))
    other = get_run(api, start_run(api, "other"))
    assert one["workflowId"] == two["workflowId"] != other["workflowId"]
    assert one["workflowVersionId"] == two["workflowVersionId"]
    assert one["workflowId"].startswith("w_")
    assert one["workflowVersionId"].startswith("wv_")
    assert one["memberExternalUserId"] == member["id"]
    assert one["memberId"].startswith("mem_")
    assert one["context"]["a"] == 1
    assert one["context"]["apiKeyId"] == two["context"]["apiKeyId"] != "mine"
    assert one["context"]["apiKeyId"].startswith("key_")
    assert (one["status"], one["startedAt"], one["finishedAt"]) == ("queued", None, None)


def test_api_key_id_depends_on_the_key() -> None:
    """Runs started with different accepted keys carry different apiKeyIds."""
    config = EmulatorConfig(secret_keys=["sk_a", "sk_b"], run_queued_seconds=60)
    with EmulatorServer(config) as server:
        a = Api(server.base_url, "sk_a")
        b = Api(server.base_url, "sk_b")
        a.identify("u1")
        run_a = get_run(a, start_run(a))
        run_b = get_run(b, start_run(b))
    assert run_a["context"]["apiKeyId"] != run_b["context"]["apiKeyId"]


def test_admin_advance_one_run(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """advance_runs moves one run to running, then completed, setting startedAt and finishedAt."""
    chimekit_emulator.set_run_schedule(3600, 3600)
    api.identify("u1")
    run_id = start_run(api)
    other = start_run(api)
    assert chimekit_emulator.advance_runs(run_id, status="running") == [run_id]
    running = get_run(api, run_id)
    assert (running["status"], running["finishedAt"]) == ("running", None)
    assert running["startedAt"] is not None
    assert chimekit_emulator.advance_runs(run_id, status="running") == []
    assert chimekit_emulator.advance_runs(run_id) == [run_id]
    done = get_run(api, run_id)
    assert done["status"] == "completed"
    assert done["startedAt"] == running["startedAt"]
    assert done["finishedAt"] >= done["startedAt"]
    assert get_run(api, other)["status"] == "queued"
    assert chimekit_emulator.advance_runs(run_id) == []


def test_admin_advance_all_and_failed(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """Without a run id every unfinished run moves; status "failed" finishes a run as failed."""
    chimekit_emulator.set_run_schedule(3600, 3600)
    api.identify("u1")
    runs = [start_run(api) for _ in range(3)]
    assert chimekit_emulator.advance_runs(runs[0], status="failed") == [runs[0]]
    assert sorted(chimekit_emulator.advance_runs()) == sorted(runs[1:])
    assert [get_run(api, r)["status"] for r in runs] == ["failed", "completed", "completed"]


def test_admin_advance_errors(chimekit_emulator: EmulatorHandle) -> None:
    """Advancing an unknown run is a 404; an unknown status is a 400."""
    with pytest.raises(EmulatorError) as missing:
        chimekit_emulator.advance_runs("wr_nope")
    assert missing.value.status == 404
    with pytest.raises(EmulatorError) as bad:
        chimekit_emulator.advance_runs(status="paused")
    assert bad.value.status == 400
    assert "status must be one of" in str(bad.value)


def test_schedule_change_applies_to_new_runs(api: Api, chimekit_emulator: EmulatorHandle) -> None:
    """set_run_schedule(0, 0) makes new runs complete at once; a reset restores the default."""
    chimekit_emulator.set_run_schedule(0, 0)
    api.identify("u1")
    assert get_run(api, start_run(api))["status"] == "completed"
    chimekit_emulator.reset()
    api.identify("u1")
    assert get_run(api, start_run(api))["status"] in ("queued", "running")


def test_run_needs_an_active_member(api: Api) -> None:
    """Running a workflow for an unknown or deleted member answers 404."""
    response = api.post("/workflows/welcome/run", {"externalUserId": "ghost"})
    assert (response.status, response.error) == (404, 'member "ghost" not found')
    api.identify("gone")
    api.delete("/audience/members/gone")
    assert api.post("/workflows/welcome/run", {"externalUserId": "gone"}).status == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "externalUserId must be a non-empty string"),
        ({"externalUserId": "u1", "context": [1]}, "context must be an object or null"),
    ],
)
def test_run_validation(api: Api, body: dict, message: str) -> None:
    """An invalid run request answers 400 naming the field."""
    api.identify("u1")
    response = api.post("/workflows/welcome/run", body)
    assert (response.status, response.error) == (400, message)


def test_unknown_run_is_404(api: Api) -> None:
    """GET of an unknown run answers 404 naming it."""
    response = api.get("/workflows/runs/wr_nope")
    assert (response.status, response.error) == (404, 'workflow run "wr_nope" not found')
