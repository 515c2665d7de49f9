"""Running the real ``chimekit`` command (``python -m chimekit_cli``) in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from chimekit_emulator import EmulatorHandle

SRC = Path(__file__).resolve().parents[2] / "src"
COMMAND = [sys.executable, "-m", "chimekit_cli"]
TIMEOUT = 60.0

T = TypeVar("T")


def environment(
    emulator: EmulatorHandle | None = None, extra: Mapping[str, str] | None = None
) -> dict[str, str]:
    """This worktree's packages first, no ambient CHIMEKIT_* settings, the emulator's if given."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CHIMEKIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["COLUMNS"] = "200"
    if emulator is not None:
        env["CHIMEKIT_SECRET_KEY"] = emulator.secret_key
        env["CHIMEKIT_BASE_URL"] = emulator.base_url
    env.update(extra or {})
    return env


def run_cli(
    *args: str | Path,
    emulator: EmulatorHandle | None = None,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``chimekit ARGS`` to the end; stdout and stderr captured as text."""
    return subprocess.run(
        [*COMMAND, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment(emulator, env),
        timeout=TIMEOUT,
        check=False,
    )


def start_cli(
    *args: str | Path, emulator: EmulatorHandle, cwd: Path | None = None
) -> subprocess.Popen[str]:
    """Start ``chimekit ARGS`` in the background, its output in pipes."""
    return subprocess.Popen(
        [*COMMAND, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=environment(emulator),
    )


def wait_for(condition: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def read_checkpoint(path: Path) -> dict[str, Any] | None:
    """The checkpoint's content, or ``None`` while there is none."""
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return data


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    """One JSON value per line."""
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def read_jsonl(path: Path) -> list[Any]:
    """Every line of a JSONL file, parsed."""
    return [json.loads(line) for line in path.read_text().splitlines()]


def api_requests(emulator: EmulatorHandle, method: str, path: str) -> list[dict[str, Any]]:
    """The journal's entries for one endpoint."""
    return [
        entry
        for entry in emulator.journal()
        if entry["method"] == method and entry["path"] == f"/sdk/v1{path}"
    ]
