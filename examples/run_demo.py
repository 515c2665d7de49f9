"""Run both quick starts against a local ChimeKit emulator: ``python examples/run_demo.py``.

It starts ``python -m chimekit_emulator --port 0`` (a free port), waits for its
``ChimeKit emulator listening on ...`` line, runs ``quickstart.py`` and ``quickstart_sync.py``
with ``CHIMEKIT_BASE_URL`` and ``CHIMEKIT_SECRET_KEY`` pointing at it, and stops it. The exit
status is 0 only if the emulator started, both quick starts succeeded and the emulator shut
down cleanly. This is what ``nox -s demo`` runs.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ("quickstart.py", "quickstart_sync.py")
SECRET_KEY = "sk_test_chimekit"
"""The emulator's test key; the demo never uses a real key, even if one is in the environment."""
START_TIMEOUT = 30.0
SCRIPT_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
LISTENING = re.compile(r"ChimeKit emulator listening on (?P<url>http://\S+)")


class Emulator:
    """``python -m chimekit_emulator`` as a child process, listening on a free port.

    A thread reads its output for as long as it runs, so it never blocks on a full pipe.
    """

    def __init__(self) -> None:
        command = [sys.executable, "-m", "chimekit_emulator", "--port", "0"]
        self.process = subprocess.Popen(
            [*command, "--secret-key", SECRET_KEY],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        """Hand the output over line by line; ``None`` marks its end."""
        assert self.process.stdout is not None
        with self.process.stdout:
            for line in self.process.stdout:
                self._lines.put(line)
        self._lines.put(None)

    def wait_until_listening(self, timeout: float = START_TIMEOUT) -> str:
        """Wait for the ``listening on`` line and return the API root it names.

        Raises:
            RuntimeError: the emulator exited, or said nothing within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"the emulator did not start within {timeout:.0f} s") from None
            if line is None:
                self.process.wait(STOP_TIMEOUT)
                raise RuntimeError(f"the emulator exited with status {self.process.returncode}")
            print(f"run_demo: {line.rstrip()}", flush=True)
            match = LISTENING.search(line)
            if match:
                return match["url"]

    def stop(self) -> bool:
        """Ask the emulator to stop (SIGTERM), kill it if it hangs; True if it stopped cleanly."""
        clean = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                clean = False
        self._reader.join(STOP_TIMEOUT)
        # On Windows terminate() is a hard kill and there is no exit status to judge.
        return clean and (self.process.returncode == 0 or os.name != "posix")


def run_script(name: str, base_url: str) -> bool:
    """Run one example script against the emulator; True if it exited with status 0."""
    env = {**os.environ, "CHIMEKIT_BASE_URL": base_url, "CHIMEKIT_SECRET_KEY": SECRET_KEY}
    print(f"\n$ python examples/{name}", flush=True)
    try:
        result = subprocess.run(
            [sys.executable, str(HERE / name)], env=env, timeout=SCRIPT_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        print(f"run_demo: {name} did not finish within {SCRIPT_TIMEOUT:.0f} s", file=sys.stderr)
        return False
    if result.returncode != 0:
        print(f"run_demo: {name} failed with status {result.returncode}", file=sys.stderr)
    return result.returncode == 0


def main() -> int:
    """Start the emulator, run every quick start against it, stop it; 0 if all went well."""
    emulator = Emulator()
    results: dict[str, bool] = {}
    try:
        base_url = emulator.wait_until_listening()
        for name in SCRIPTS:
            results[name] = run_script(name, base_url)
    except RuntimeError as exc:
        print(f"run_demo: {exc}", file=sys.stderr)
        return 1
    finally:
        stopped = emulator.stop()
    if not stopped:
        status = emulator.process.returncode
        print(f"run_demo: the emulator did not stop cleanly (status {status})", file=sys.stderr)
    failed = [name for name, ok in results.items() if not ok]
    if failed or not stopped:
        print(f"\nrun_demo: FAILED ({', '.join(failed) or 'emulator shutdown'})", file=sys.stderr)
        return 1
    print(f"\nrun_demo: all {len(results)} quick starts passed against the emulator")
    return 0


if __name__ == "__main__":
    sys.exit(main())
