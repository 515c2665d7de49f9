"""Child processes for the integration tests: example servers and workers, run for real."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pytest

ROOT = Path(__file__).resolve().parents[2]
"""The repository root: child processes run there, so ``examples.*`` is importable."""

# What a process that leaked a connection, a session or a socket prints on its way out.
LEAK_MARKERS = ("Unclosed", "ResourceWarning", "Exception ignored", "Traceback")


class Service:
    """A child process whose combined stdout and stderr is collected line by line.

    Reading happens on a thread, so a chatty child never blocks on a full pipe.
    """

    def __init__(self, argv: Sequence[str], env: dict[str, str], cwd: Path) -> None:
        self.argv = list(argv)
        self.name = " ".join(self.argv[1:])
        self.process = subprocess.Popen(
            self.argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group: a stuck worker and its pool children can be killed together.
            start_new_session=os.name == "posix",
        )
        self._lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                with self._changed:
                    self._lines.append(line)
                    self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        """Everything the process printed so far."""
        with self._changed:
            return "".join(self._lines)

    def wait_for(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait for a line matching ``pattern``; fail with the output if it never comes."""
        compiled = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self._lines[seen:]:
                    match = compiled.search(line)
                    if match:
                        return match
                seen = len(self._lines)
                if self.process.poll() is not None and not self._reader.is_alive():
                    pytest.fail(
                        f"{self.name!r} exited with {self.process.returncode} before printing "
                        f"{pattern!r}:\n{''.join(self._lines)}"
                    )
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no {pattern!r} within {timeout} s:\n{''.join(self._lines)}")
                self._changed.wait(min(left, 0.2))

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (a graceful shutdown) and wait; kill the group and fail if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                pytest.fail(f"{self.name!r} did not stop within {timeout} s:\n{self.output}")
        self._reader.join(10)
        return self.process.returncode

    def assert_no_leaks(self) -> None:
        """Fail if the process reported an unclosed resource or a traceback."""
        output = self.output
        found = [marker for marker in LEAK_MARKERS if marker in output]
        assert not found, f"{self.name!r} output mentions {found}:\n{output}"

    def kill(self) -> None:
        """Kill the process and whatever is left of its group (pool children too)."""
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        else:
            self.process.kill()
        self.process.wait(10)


class Spawn(Protocol):
    """Starts a :class:`Service`; every one still running is killed after the test."""

    def __call__(self, argv: Sequence[str], env: dict[str, str]) -> Service: ...
