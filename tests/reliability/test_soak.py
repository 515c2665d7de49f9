"""Soak under random faults: nothing lost, nothing duplicated, nothing leaked.

Thousands of sends and workflow runs go through an emulator that answers about a fifth of all
requests with 429/5xx and also resets, truncates, delays, and commits-then-drops sends and runs.
Afterwards the emulator's outbox, workflow runs and request journal are reconciled, call by call,
with what the SDK returned.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest
from support import header, sdk_requests

from chimekit_async import (
    APIConnectionError,
    APIStatusError,
    AsyncChimeKit,
    ChannelContent,
    ChimeKitError,
    InAppContent,
    SentMessage,
    WorkflowRunRef,
)
from chimekit_core._retry import RETRYABLE_STATUSES
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .checks import assert_no_resource_warnings

SEND_PATH = "/sdk/v1/messages/send"
WORKFLOW = "soak-flow"
RUN_PATH = f"/sdk/v1/workflows/{WORKFLOW}/run"
MAX_RETRIES = 6
MEMBERS = [f"soak_{n}" for n in range(8)]
HTML_502 = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
# Fault kinds whose attempt ran the handler and committed (the message or run exists).
COMMITTING = {"commit_then_drop", "truncate"}


def soak_faults(seed: int) -> list[dict[str, Any]]:
    """The fault mix: about 20% retryable statuses plus transport faults and latency spikes."""
    rules: list[dict[str, Any]] = [
        {"method": "POST", "path": "^/messages/send$", "fault": "commit_then_drop", "p": 0.03},
        {
            "method": "POST",
            "path": "^/workflows/[^/]+/run$",
            "fault": "commit_then_drop",
            "p": 0.05,
        },
        {"status": 429, "headers": {"Retry-After": "0"}, "p": 0.05},
        {"status": 500, "p": 0.04},
        {"status": 502, "text": HTML_502, "headers": {"Content-Type": "text/html"}, "p": 0.04},
        {"status": 503, "headers": {"retry-after-ms": "3"}, "p": 0.04},
        {"status": 504, "p": 0.04},
        {"fault": "reset", "p": 0.03},
        {"fault": "truncate", "p": 0.03},
        {"delay": 0.05, "p": 0.02},
    ]
    result = []
    for number, rule in enumerate(rules):
        probability = rule.pop("p")
        result.append({**rule, "probability": probability, "seed": seed + number})
    return result


@dataclass
class Call:
    """One logical SDK call of the soak and what it returned."""

    kind: str  # "send" or "run"
    payload: str
    result: SentMessage | WorkflowRunRef | None = None
    error: ChimeKitError | None = None


@dataclass
class Attempt:
    """One journaled request of a call."""

    key: str | None
    status: int | None
    fault: str | None

    @property
    def committed(self) -> bool:
        """Whether this attempt ran the handler and committed (the client may not know)."""
        if self.fault in COMMITTING:
            return True
        return self.fault in (None, "delay") and self.status is not None and self.status < 300


@dataclass
class Report:
    """The reconciliation of calls with the emulator's state."""

    calls: int = 0
    succeeded: int = 0
    failed: int = 0
    attempts: int = 0
    replayed: int = 0
    lost: int = 0
    duplicated: int = 0
    phantom: int = 0
    failed_but_committed: int = 0
    problems: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)

    @property
    def retried(self) -> int:
        """Attempts beyond the first of each call."""
        return self.attempts - self.calls

    def line(self, flavour: str) -> str:
        """The summary printed by the soak tests."""
        return (
            f"[{flavour}] sent={self.calls} ok={self.succeeded} failed={self.failed} "
            f"attempts={self.attempts} retried={self.retried} replayed={self.replayed} "
            f"lost={self.lost} duplicated={self.duplicated} phantom={self.phantom} "
            f"failed_but_committed={self.failed_but_committed} "
            f"faults={dict(sorted(self.faults.items()))}"
        )


def new_calls(sends: int, runs: int, seed: int) -> list[Call]:
    """Sends and runs in a seeded random order, each with its own payload."""
    rng = random.Random(seed)
    calls = [Call("send", f"s-{uuid.UUID(int=rng.getrandbits(128))}") for _ in range(sends)]
    calls += [Call("run", f"r-{uuid.UUID(int=rng.getrandbits(128))}") for _ in range(runs)]
    rng.shuffle(calls)
    return calls


def content_for(call: Call) -> ChannelContent:
    """A message whose title and variables carry the call's unique payload."""
    return ChannelContent(
        in_app=InAppContent(title=f"soak {call.payload}"), variables={"soak": call.payload}
    )


def member_for(index: int) -> str:
    """Spread the calls over a few members."""
    return MEMBERS[index % len(MEMBERS)]


def _payload_of(entry: dict[str, Any]) -> str | None:
    body = json.loads(entry["body"] or "null")
    if not isinstance(body, dict):
        return None
    if entry["path"] == SEND_PATH:
        return body["content"]["variables"]["soak"]  # type: ignore[no-any-return]
    return body["context"]["soak"]  # type: ignore[no-any-return]


def reconcile(
    calls: list[Call],
    journal: list[dict[str, Any]],
    outbox: list[dict[str, Any]],
    runs: dict[str, list[str]],
) -> Report:
    """Check every call against the journal, the outbox and the workflow runs.

    Args:
        calls: The calls made, with their outcomes.
        journal: The emulator's request journal.
        outbox: The emulator's outbox.
        runs: Run ids per payload, for every workflow run the emulator holds.
    """
    report = Report(calls=len(calls))
    attempts: dict[str, list[Attempt]] = defaultdict(list)
    for entry in sdk_requests(journal):
        if entry["method"] != "POST" or entry["path"] not in (SEND_PATH, RUN_PATH):
            continue
        payload = _payload_of(entry)
        if payload is None:
            continue
        attempt = Attempt(header(entry, "Idempotency-Key"), entry["status"], entry["fault"])
        attempts[payload].append(attempt)
        kind = entry["fault"]
        report.faults[str(entry["status"]) if kind in (None, "status") else kind] += 1
    messages: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for message in outbox:
        messages[message["content"]["variables"]["soak"]].append(message)
    stored = {"send": messages, "run": runs}
    known = {call.payload for call in calls}
    report.phantom = sum(
        len(items) for kind in stored.values() for key, items in kind.items() if key not in known
    )

    for call in calls:
        tries = attempts.get(call.payload, [])
        report.attempts += len(tries)
        keys = {attempt.key for attempt in tries}
        if len(keys) != 1 or None in keys:
            report.problems.append(f"{call.payload}: Idempotency-Keys across attempts {keys}")
        committed = False
        for attempt in tries:
            if committed and attempt.fault in (None, "delay") and attempt.status == 200:
                report.replayed += 1
            committed = committed or attempt.committed
        found = stored[call.kind].get(call.payload, [])
        report.duplicated += max(0, len(found) - 1)
        if call.error is None:
            report.succeeded += 1
            _check_success(call, found, keys, report)
        else:
            report.failed += 1
            _check_failure(call, tries, found, committed, report)
    return report


def _check_success(call: Call, found: list[Any], keys: set[str | None], report: Report) -> None:
    if not found:
        report.lost += 1
        return
    if isinstance(call.result, SentMessage):
        entry = found[0]
        if entry["messageId"] != call.result.message.id or {entry["idempotencyKey"]} != keys:
            report.problems.append(f"{call.payload}: outbox {entry} does not match the result")
    elif isinstance(call.result, WorkflowRunRef) and found[0] != call.result.run_id:
        report.problems.append(f"{call.payload}: run {found[0]} != returned {call.result.run_id}")


def _check_failure(
    call: Call, tries: list[Attempt], found: list[Any], committed: bool, report: Report
) -> None:
    error = call.error
    retryable = isinstance(error, APIConnectionError) or (
        isinstance(error, APIStatusError) and error.status_code in RETRYABLE_STATUSES
    )
    if not retryable:
        report.problems.append(f"{call.payload}: not a retryable failure: {error!r}")
    elif len(tries) != MAX_RETRIES + 1:
        report.problems.append(f"{call.payload}: failed after {len(tries)} attempts: {error!r}")
    if committed:
        report.failed_but_committed += 1  # the API has it; the caller retries with its key
    elif found:
        report.problems.append(f"{call.payload}: failed, never committed, yet stored {found}")


def assert_clean(report: Report, flavour: str) -> None:
    """Print the summary line and assert that nothing was lost, duplicated or invented."""
    print(report.line(flavour))  # the soak's result: shown with -s, and on failure
    assert report.problems == []
    assert report.lost == 0
    assert report.duplicated == 0
    assert report.phantom == 0
    assert report.succeeded + report.failed == report.calls
    # The faults really happened: every kind fired and was recovered from.
    kinds = ("commit_then_drop", "reset", "truncate", "delay", "429", "500", "502", "503", "504")
    for kind in kinds:
        assert report.faults[kind] > 0, (kind, report.faults)
    assert report.retried > 0
    assert report.replayed > 0


def runs_by_payload(control: EmulatorHandle, client: ChimeKit) -> dict[str, list[str]]:
    """Every workflow run the emulator holds, by the payload in its context.

    The run schedule is an hour, so every run is still unfinished and ``advance_runs`` lists
    them all (the emulator has no other way to enumerate runs).
    """
    result: dict[str, list[str]] = defaultdict(list)
    for run_id in control.advance_runs():
        run = client.workflows.get_run(run_id)
        assert run.context is not None
        result[run.context["soak"]].append(run_id)
    return result


def _prepare(control: EmulatorHandle, client: ChimeKit, seed: int) -> None:
    for member in MEMBERS:
        client.audience.identify(member)
    control.set_run_schedule(3600, 3600)
    for rule in soak_faults(seed):
        control.add_fault(**rule)


def _collect(control: EmulatorHandle, client: ChimeKit, calls: Iterable[Call]) -> Report:
    control.clear_faults()
    journal = control.journal()
    outbox = control.outbox()
    runs = runs_by_payload(control, client)
    return reconcile(list(calls), journal, outbox, runs)


@pytest.mark.slow
async def test_async_soak_loses_and_duplicates_nothing(
    chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """2,000 async sends and 200 runs at concurrency 32 under faults: each lands exactly once."""
    calls = new_calls(sends=2000, runs=200, seed=20240601)

    def setup_and_check(step: Callable[[ChimeKit], Any]) -> Any:
        # The blocking setup and checks run on a thread, as sync code in an async app must.
        with ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as admin:
            return step(admin)

    await asyncio.to_thread(setup_and_check, lambda admin: _prepare(chimekit_emulator, admin, 1000))
    semaphore = asyncio.Semaphore(32)

    async def one(client: AsyncChimeKit, index: int, call: Call) -> None:
        async with semaphore:
            try:
                if call.kind == "send":
                    call.result = await client.messages.send(
                        member_for(index), content=content_for(call)
                    )
                else:
                    call.result = await client.workflows.run(
                        WORKFLOW, member_for(index), context={"soak": call.payload}
                    )
            except ChimeKitError as exc:
                call.error = exc

    async with AsyncChimeKit(
        chimekit_emulator.secret_key,
        base_url=chimekit_emulator.base_url,
        max_retries=MAX_RETRIES,
        timeout=10.0,
    ) as client:
        await asyncio.gather(*(one(client, index, call) for index, call in enumerate(calls)))
    report = await asyncio.to_thread(
        setup_and_check, lambda admin: _collect(chimekit_emulator, admin, calls)
    )
    assert_clean(report, "async")
    assert retry_waits  # backoff was computed (and skipped) for every retry
    assert_no_resource_warnings()


def test_sync_soak_loses_and_duplicates_nothing(
    chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """500 sync sends and 100 runs from 8 threads under faults: each lands exactly once."""
    calls = new_calls(sends=500, runs=100, seed=20240602)
    with ChimeKit(
        chimekit_emulator.secret_key,
        base_url=chimekit_emulator.base_url,
        max_retries=MAX_RETRIES,
        timeout=10.0,
    ) as client:
        _prepare(chimekit_emulator, client, seed=2000)

        def one(index: int, call: Call) -> None:
            try:
                if call.kind == "send":
                    call.result = client.messages.send(member_for(index), content=content_for(call))
                else:
                    call.result = client.workflows.run(
                        WORKFLOW, member_for(index), context={"soak": call.payload}
                    )
            except ChimeKitError as exc:
                call.error = exc

        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="soak") as pool:
            for future in [pool.submit(one, index, call) for index, call in enumerate(calls)]:
                future.result()  # anything but a ChimeKitError fails the test here
        report = _collect(chimekit_emulator, client, calls)
    assert_clean(report, "sync")
    assert_no_resource_warnings()
