"""`chimekit workflows run` and `chimekit runs get [--follow]`."""

from __future__ import annotations

import json
import queue
import threading
from typing import Any

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .runner import run_cli, start_cli

LINE_TIMEOUT = 15.0


@pytest.fixture
def run_id(chimekit: ChimeKit, chimekit_emulator: EmulatorHandle) -> str:
    """A run of workflow "welcome" for u1 that stays queued until the test moves it on."""
    chimekit_emulator.set_run_schedule(3600, 3600)
    chimekit.audience.identify("u1")
    result = run_cli(
        "workflows",
        "run",
        "welcome",
        "u1",
        "--context",
        '{"plan": "pro"}',
        emulator=chimekit_emulator,
    )
    assert result.returncode == 0, result.stderr
    ref: dict[str, Any] = json.loads(result.stdout)
    assert list(ref) == ["runId", "status"]
    assert ref["status"] == "queued"
    return str(ref["runId"])


def test_workflows_run_prints_the_run_reference(
    chimekit_emulator: EmulatorHandle, run_id: str
) -> None:
    """workflows run sends the context and prints {"runId", "status": "queued"} as one JSON line."""
    (entry,) = [
        e for e in chimekit_emulator.journal() if e["path"] == "/sdk/v1/workflows/welcome/run"
    ]
    assert json.loads(entry["body"]) == {"externalUserId": "u1", "context": {"plan": "pro"}}
    assert run_id.startswith("wr_")


def test_runs_get_prints_the_run_once(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, run_id: str
) -> None:
    """Without --follow, runs get prints the run as the API's JSON and exits 0 at once."""
    result = run_cli("runs", "get", run_id, emulator=chimekit_emulator)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == chimekit.request("GET", f"/workflows/runs/{run_id}")["run"]


def _lines(stream: Any) -> queue.Queue[str | None]:
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    return lines


@pytest.mark.parametrize(("final", "exit_status"), [("completed", 0), ("failed", 1)])
def test_follow_prints_each_status_and_ends_when_the_run_finishes(
    chimekit_emulator: EmulatorHandle, run_id: str, final: str, exit_status: int
) -> None:
    """--follow prints the run at each change of status and exits once it finished: 0 completed, 1 failed."""
    process = start_cli(
        "runs", "get", run_id, "--follow", "--poll-interval", "0.05", emulator=chimekit_emulator
    )
    try:
        assert process.stdout is not None
        lines = _lines(process.stdout)
        first = json.loads(lines.get(timeout=LINE_TIMEOUT) or "null")
        assert (first["id"], first["status"], first["finishedAt"]) == (run_id, "queued", None)
        assert chimekit_emulator.advance_runs(run_id, "running") == [run_id]
        second = json.loads(lines.get(timeout=LINE_TIMEOUT) or "null")
        assert (second["status"], second["finishedAt"]) == ("running", None)
        assert process.poll() is None
        assert chimekit_emulator.advance_runs(run_id, final) == [run_id]
        last = json.loads(lines.get(timeout=LINE_TIMEOUT) or "null")
        assert last["status"] == final
        assert last["finishedAt"] is not None
        assert lines.get(timeout=LINE_TIMEOUT) is None
        assert process.wait(LINE_TIMEOUT) == exit_status
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_runs_get_of_an_unknown_run_exits_1(chimekit_emulator: EmulatorHandle) -> None:
    """An unknown run id is the API's 404, reported on stderr; exit 1."""
    result = run_cli("runs", "get", "wr_missing", emulator=chimekit_emulator)
    assert result.returncode == 1
    (entry,) = chimekit_emulator.journal()
    assert result.stderr == (
        'Error: workflow run "wr_missing" not found '
        f"(404 NotFoundError, request id {entry['requestId']})\n"
    )
