"""The async client across successive event loops, in a fresh interpreter with warnings as errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chimekit_emulator import EmulatorHandle

SCRIPT = Path(__file__).with_name("successive_event_loops.py")


def test_one_client_serves_ten_asyncio_runs_without_leaks(
    app_env: dict[str, str], chimekit_emulator: EmulatorHandle
) -> None:
    """Each asyncio.run() gets a working client, nothing is left unclosed, close() works."""
    result = subprocess.run(
        [sys.executable, "-W", "error", str(SCRIPT)],
        env=app_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == "ok: 10 event loops\n"
    outbox = chimekit_emulator.outbox()
    assert len(outbox) == 30
    assert {entry["externalUserId"] for entry in outbox} == {f"loop_user_{n}" for n in range(10)}
