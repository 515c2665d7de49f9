"""``/workflows/{key}/run`` and ``/workflows/runs/{runId}``, and moving runs on (admin API)."""

from __future__ import annotations

from typing import Any

from .._clock import iso, now
from .._ids import new_id, stable_id
from .._reply import ApiError, Reply
from .._store import RunRecord, Store
from ._common import Call, Routes, member_pk, optional_object, quoted, require_member, required_text


def _run_json(run: RunRecord, at: float) -> dict[str, Any]:
    started = at >= run.starts
    finished = at >= run.finishes
    status = run.final_status if finished else "running" if started else "queued"
    return {
        "id": run.id,
        "workflowVersionId": stable_id("wv", run.workflow_key),
        "workflowId": stable_id("w", run.workflow_key),
        "workflowKey": run.workflow_key,
        "status": status,
        "memberId": run.member_id,
        "memberExternalUserId": run.member_external_id,
        "createdAt": iso(run.created),
        "startedAt": iso(run.starts) if started else None,
        "finishedAt": iso(run.finishes) if finished else None,
        "context": run.context,
    }


def run_workflow(call: Call) -> Reply:
    """POST /workflows/{key}/run: queue a run on its workflow's schedule (or the default one)."""
    data = call.json()
    external_id = required_text(data, "externalUserId")
    context = optional_object(data, "context", "context") or {}
    workflow_key = call.params[0]
    declared = call.state.fixtures.workflow(workflow_key)
    member = require_member(call.store, external_id)
    queued = call.state.run_queued_seconds
    running = call.state.run_running_seconds
    final_status = "completed"
    if declared is not None:
        queued = queued if declared.queued_seconds is None else declared.queued_seconds
        running = running if declared.running_seconds is None else declared.running_seconds
        final_status = declared.final_status
    created = now()
    run_id = new_id("wr")
    call.store.insert_run(
        run_id=run_id,
        workflow_key=workflow_key,
        member_pk=member_pk(member),
        context={**context, "apiKeyId": call.api_key_id},
        created=created,
        starts=created + queued,
        finishes=created + queued + running,
        final_status=final_status,
    )
    return Reply.json(200, {"runId": run_id, "status": "queued"})


def get_run(call: Call) -> Reply:
    """GET /workflows/runs/{runId}: the run, its status derived from the schedule."""
    run = call.store.run_by_id(call.params[0])
    if run is None:
        raise ApiError(404, f"workflow run {quoted(call.params[0])} not found")
    return Reply.json(200, {"run": _run_json(run, now())})


def advance_runs(store: Store, run_id: str | None, status: str) -> list[str]:
    """Move one run (or every unfinished run) on to ``status`` now; returns the ids moved.

    ``"running"`` starts a queued run now (it then runs for its planned duration);
    ``"completed"`` and ``"failed"`` finish a run now. A run is never moved backwards.

    Raises:
        ApiError: 404 when ``run_id`` names no run.
    """
    moment = now()
    if run_id is not None:
        run = store.run_by_id(run_id)
        if run is None:
            raise ApiError(404, f"workflow run {quoted(run_id)} not found")
        candidates = [run] if run.finishes > moment else []
    else:
        candidates = store.unfinished_runs(moment)
    moved = []
    for run in candidates:
        if status == "running":
            if run.starts <= moment:
                continue
            duration = run.finishes - run.starts
            store.reschedule_run(
                run.pk, starts=moment, finishes=moment + duration, final_status=run.final_status
            )
        else:
            store.reschedule_run(
                run.pk, starts=min(run.starts, moment), finishes=moment, final_status=status
            )
        moved.append(run.id)
    return moved


ROUTES: Routes = [
    ("POST", "/workflows/{key}/run", run_workflow),
    ("GET", "/workflows/runs/{runId}", get_run),
]
