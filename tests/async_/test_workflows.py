"""Workflow runs: queue, fetch, wait."""

from __future__ import annotations

import json

import pytest
from support import sdk_requests

from chimekit_async import (
    APITimeoutError,
    AsyncChimeKit,
    NotFoundError,
    WorkflowRun,
    WorkflowRunRef,
)
from chimekit_emulator import EmulatorHandle


async def test_run_then_wait_until_finished(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A queued run completes; wait_for_run returns it with started/finished times."""
    await async_chimekit.audience.identify("user_1")
    ref = await async_chimekit.workflows.run(
        "welcome-sequence", "user_1", context={"utmCampaign": "winter"}
    )
    assert isinstance(ref, WorkflowRunRef)
    assert ref.status == "queued"
    body = json.loads(sdk_requests(chimekit_emulator.journal())[-1]["body"])
    assert body == {"externalUserId": "user_1", "context": {"utmCampaign": "winter"}}
    run = await async_chimekit.workflows.wait_for_run(ref.run_id, timeout=10, poll_interval=0.05)
    assert isinstance(run, WorkflowRun)
    assert run.status == "completed"
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.workflow_key == "welcome-sequence"
    assert run.context is not None
    assert run.context["utmCampaign"] == "winter"


async def test_get_run_reflects_admin_advance(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """get_run shows the status the emulator moved the run to."""
    chimekit_emulator.set_run_schedule(queued_seconds=3600, running_seconds=3600)
    await async_chimekit.audience.identify("user_1")
    ref = await async_chimekit.workflows.run("onboarding", "user_1")
    assert (await async_chimekit.workflows.get_run(ref.run_id)).status == "queued"
    chimekit_emulator.advance_runs(ref.run_id, status="running")
    running = await async_chimekit.workflows.get_run(ref.run_id)
    assert running.status == "running"
    assert running.finished_at is None


async def test_wait_for_run_times_out(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """A run that does not finish in time raises APITimeoutError naming the run."""
    chimekit_emulator.set_run_schedule(queued_seconds=3600, running_seconds=3600)
    await async_chimekit.audience.identify("user_1")
    ref = await async_chimekit.workflows.run("slow", "user_1")
    with pytest.raises(APITimeoutError, match=ref.run_id):
        await async_chimekit.workflows.wait_for_run(ref.run_id, timeout=0.3, poll_interval=0.05)


async def test_unknown_run_and_member(async_chimekit: AsyncChimeKit) -> None:
    """Unknown runs and members are NotFoundError; empty keys a ValueError."""
    with pytest.raises(NotFoundError):
        await async_chimekit.workflows.get_run("wr_missing")
    with pytest.raises(NotFoundError):
        await async_chimekit.workflows.run("welcome", "ghost")
    with pytest.raises(ValueError, match="key"):
        await async_chimekit.workflows.run("", "user_1")
    with pytest.raises(ValueError, match="run_id"):
        await async_chimekit.workflows.wait_for_run("")
