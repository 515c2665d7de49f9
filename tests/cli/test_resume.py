"""A killed import or send, resumed with --resume, ends with every row applied exactly once.

The command runs as a real process; it is killed with SIGKILL (no chance to clean up) once its
checkpoint shows progress, while rows after the checkpoint are in flight, then run again with
--resume against the same emulator.
"""

from __future__ import annotations

import functools
import hashlib
import signal
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .runner import (
    api_requests,
    read_checkpoint,
    read_jsonl,
    run_cli,
    start_cli,
    wait_for,
    write_jsonl,
)

ROWS = 5000
KILL_AFTER = 1000
"""Kill once the checkpoint has at least this many rows (it is written every 500)."""


@functools.cache
def file_digest(path: Path) -> str:
    """The SHA-256 of the file, read once: a test asks for the keys of thousands of its lines."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def key(path: Path, kind: str, line: int) -> str:
    return f"chimekit-cli-{kind}-{file_digest(path)[:32]}-{line}"


def kill_part_way(
    process: subprocess.Popen[str], checkpoint: Path, beyond: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """SIGKILL the command once its checkpoint passed KILL_AFTER rows and ``beyond(checkpoint)``.

    ``beyond`` says when the command has done more than the checkpoint records (rows sent,
    failures reported), so that the kill leaves work for --resume to replay.
    """
    try:
        progress: dict[str, Any] = wait_for(
            lambda: (
                (found := read_checkpoint(checkpoint)) and found["rows"] >= KILL_AFTER and found
            ),
            f"a checkpoint past row {KILL_AFTER}",
        )
        wait_for(lambda: beyond(progress), "work done after the checkpoint")
        assert process.poll() is None, "the command finished before it could be killed"
        process.send_signal(signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    at_kill = read_checkpoint(checkpoint)
    assert at_kill is not None
    assert KILL_AFTER <= at_kill["rows"] < ROWS
    assert at_kill["complete"] is False
    return at_kill


@pytest.mark.slow
def test_killed_import_resumes_to_exactly_5000_members(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """kill -9 part way, --resume: 5,000 members, rows before the checkpoint sent once, every key row-derived."""
    source = write_jsonl(
        tmp_path / "members.jsonl",
        [
            {"externalUserId": f"user-{n:05d}", "displayName": f"User {n}", "attributes": {"n": n}}
            for n in range(ROWS)
        ],
    )
    checkpoint = tmp_path / "members.jsonl.checkpoint.json"
    report = tmp_path / "errors.jsonl"
    process = start_cli(
        "audience", "import", source, "--errors", report, emulator=chimekit_emulator
    )
    at_kill = kill_part_way(
        process,
        checkpoint,
        lambda progress: (
            len(api_requests(chimekit_emulator, "POST", "/audience/identify")) > progress["rows"]
        ),
    )
    assert len(chimekit_emulator.members()) < ROWS

    resumed = run_cli(
        "audience", "import", source, "--resume", "--errors", report, emulator=chimekit_emulator
    )
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr == f"members.jsonl: {ROWS} of {ROWS} rows imported, 0 failed.\n"
    members = chimekit_emulator.members()
    assert len(members) == ROWS
    assert {m["externalUserId"] for m in members} == {f"user-{n:05d}" for n in range(ROWS)}
    sent = Counter(
        r["headers"]["Idempotency-Key"]
        for r in api_requests(chimekit_emulator, "POST", "/audience/identify")
    )
    assert set(sent) == {key(source, "identify", line) for line in range(1, ROWS + 1)}
    assert {sent[key(source, "identify", line)] for line in range(1, at_kill["line"] + 1)} == {1}
    assert report.read_text() == ""
    final = read_checkpoint(checkpoint)
    assert final is not None
    assert (final["rows"], final["succeeded"], final["failed"], final["complete"]) == (
        ROWS,
        ROWS,
        0,
        True,
    )


@pytest.mark.slow
def test_killed_send_resumes_without_a_duplicate_in_the_outbox(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """kill -9 part way through 5,000 sends, --resume: the outbox holds each message exactly once."""
    for n in range(100):
        chimekit.audience.identify(f"user-{n}")
    source = write_jsonl(
        tmp_path / "messages.jsonl",
        [
            {"externalUserId": f"user-{n % 100}", "content": {"in_app": {"title": f"message {n}"}}}
            for n in range(ROWS)
        ],
    )
    checkpoint = tmp_path / "messages.jsonl.checkpoint.json"
    report = tmp_path / "errors.jsonl"
    process = start_cli(
        "messages", "send", "--file", source, "--errors", report, emulator=chimekit_emulator
    )
    kill_part_way(
        process, checkpoint, lambda progress: len(chimekit_emulator.outbox()) > progress["rows"]
    )
    in_outbox_at_kill = len(chimekit_emulator.outbox())

    resumed = run_cli(
        "messages",
        "send",
        "--file",
        source,
        "--resume",
        "--errors",
        report,
        emulator=chimekit_emulator,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stderr == f"messages.jsonl: {ROWS} of {ROWS} rows sent, 0 failed.\n"
    outbox = chimekit_emulator.outbox()
    titles = Counter(message["content"]["in_app"]["title"] for message in outbox)
    assert len(outbox) == ROWS
    assert titles == Counter(f"message {n}" for n in range(ROWS))
    assert in_outbox_at_kill < ROWS
    assert read_jsonl(report) == []


@pytest.mark.slow
def test_resume_truncates_the_errors_report_to_the_checkpoint(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """Failures written after the last checkpoint are not repeated: each failed row is reported once."""
    rows: list[dict[str, Any]] = [
        {"externalUserId": f"user-{n:05d}"}
        if n % 10
        else {"externalUserId": f"user-{n:05d}", "attributes": []}
        for n in range(ROWS)
    ]
    source = write_jsonl(tmp_path / "members.jsonl", rows)
    checkpoint = tmp_path / "members.jsonl.checkpoint.json"
    report = tmp_path / "errors.jsonl"
    process = start_cli(
        "audience", "import", source, "--errors", report, emulator=chimekit_emulator
    )
    kill_part_way(
        process, checkpoint, lambda progress: report.stat().st_size > progress["errors_offset"]
    )
    resumed = run_cli(
        "audience", "import", source, "--resume", "--errors", report, emulator=chimekit_emulator
    )
    assert resumed.returncode == 1
    assert resumed.stderr == (
        f"members.jsonl: 4500 of {ROWS} rows imported, 500 failed (see {report}).\n"
    )
    assert [entry["line"] for entry in read_jsonl(report)] == list(range(1, ROWS + 1, 10))
    assert len(chimekit_emulator.members()) == 4500


@pytest.fixture
def sigint_not_ignored() -> Iterator[None]:
    """Children start with SIGINT at its default even when pytest inherited it ignored.

    A background job of a non-interactive shell (``pytest ... &`` in a script) starts with
    SIGINT ignored, and a child process inherits that: the CLI would never see the signal.
    """
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@pytest.mark.slow
@pytest.mark.usefixtures("sigint_not_ignored")
def test_ctrl_c_saves_the_checkpoint_and_exits_130(
    chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """SIGINT stops the run at once with status 130, its checkpoint saved; --resume finishes it."""
    rows = 2000
    source = write_jsonl(
        tmp_path / "members.jsonl", [{"externalUserId": f"user-{n:05d}"} for n in range(rows)]
    )
    checkpoint = tmp_path / "members.jsonl.checkpoint.json"
    process = start_cli("audience", "import", source, emulator=chimekit_emulator)
    try:
        wait_for(
            lambda: (found := read_checkpoint(checkpoint)) and found["rows"] >= 500,
            "a first checkpoint",
        )
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130
    saved = read_checkpoint(checkpoint)
    assert saved is not None
    assert saved["complete"] is False
    assert saved["rows"] < rows
    assert stderr == (
        f"members.jsonl: {saved['rows']} of {rows} rows imported, 0 failed.\n"
        f"Interrupted after line {saved['line']}; run the same command with --resume to continue.\n"
    )
    resumed = run_cli("audience", "import", source, "--resume", emulator=chimekit_emulator)
    assert resumed.returncode == 0, resumed.stderr
    assert len(chimekit_emulator.members()) == rows
