# GENERATED from tests/async_/test_workflows.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Workflow runs: queue, fetch, wait."""

from __future__ import annotations

import json

import pytest
from support import sdk_requests

from chimekit_emulator import EmulatorHandle
from chimekit_sync import (
    APITimeoutError,
    ChimeKit,
    NotFoundError,
    WorkflowRun,
    WorkflowRunRef,
)


def test_run_then_wait_until_finished(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A queued run completes; wait_for_run returns it with started/finished times."""
    chimekit.audience.identify("user_1")
    ref = chimekit.workflows.run("welcome-sequence", "user_1", context={"utmCampaign": "winter"})
    assert isinstance(ref, WorkflowRunRef)
    assert ref.status == "queued"
    body = json.loads(sdk_requests(chimekit_emulator.journal())[-1]["body"])
    assert body == {"externalUserId": "user_1", "context": {"utmCampaign": "winter"}}
    run = chimekit.workflows.wait_for_run(ref.run_id, timeout=10, poll_interval=0.05)
    assert isinstance(run, WorkflowRun)
    assert run.status == "completed"
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.workflow_key == "welcome-sequence"
    assert run.context is not None
    assert run.context["utmCampaign"] == "winter"


def test_get_run_reflects_admin_advance(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """get_run shows the status the emulator moved the run to."""
    chimekit_emulator.set_run_schedule(queued_seconds=3600, running_seconds=3600)
    chimekit.audience.identify("user_1")
    ref = chimekit.workflows.run("onboarding", "user_1")
    assert (chimekit.workflows.get_run(ref.run_id)).status == "queued"
    chimekit_emulator.advance_runs(ref.run_id, status="running")
    running = chimekit.workflows.get_run(ref.run_id)
    assert running.status == "running"
    assert running.finished_at is None


def test_wait_for_run_times_out(chimekit: ChimeKit, chimekit_emulator: EmulatorHandle) -> None:
    """A run that does not finish in time raises APITimeoutError naming the run."""
    chimekit_emulator.set_run_schedule(queued_seconds=3600, running_seconds=3600)
    chimekit.audience.identify("user_1")
    ref = chimekit.workflows.run("slow", "user_1")
    with pytest.raises(APITimeoutError, match=ref.run_id):
        chimekit.workflows.wait_for_run(ref.run_id, timeout=0.3, poll_interval=0.05)


def test_unknown_run_and_member(chimekit: ChimeKit) -> None:
    """Unknown runs and members are NotFoundError; empty keys a ValueError."""
    with pytest.raises(NotFoundError):
        chimekit.workflows.get_run("wr_missing")
    with pytest.raises(NotFoundError):
        chimekit.workflows.run("welcome", "ghost")
    with pytest.raises(ValueError, match="key"):
        chimekit.workflows.run("", "user_1")
    with pytest.raises(ValueError, match="run_id"):
        chimekit.workflows.wait_for_run("")
