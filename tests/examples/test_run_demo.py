"""examples/run_demo.py, the README's first command, run for real: emulator plus both quick starts."""

from __future__ import annotations

import importlib.util
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

# One line of each step of a quick start, in order (the same for both flavours).
STEPS = [
    r"quickstart: talking to http://127\.0\.0\.1:\d+/sdk/v1 as quickstart_\w+",
    r"\[members\] identified quickstart_\w+ <ava@example\.com> attributes=\{'plan': 'pro'\}",
    r"\[members\] fetched quickstart_\w+: display name 'Ava Example'",
    r"\[members\] updated quickstart_\w+: 'Ava Example \(updated\)' \{'plan': 'enterprise'\}",
    r"\[members\] get\(\) of an unknown member returns None",
    r"\[suppressions\] added sup_\w+ \(global\) and sup_\w+ \(marketing\)",
    r"\[suppressions\]   sup_\w+: ava@example\.com global \(opt-out\)",
    r"\[suppressions\]   sup_\w+: ava@example\.com marketing \(opt-out\)",
    r"\[suppressions\] removed both; 0 left",
    r"\[messages\] sent msg_\w+: dispatched",
    r"\[messages\] fetched msg_\w+: in-app 'Welcome!', email to ava@example\.com",
    r"\[messages\] unknown id -> NotFoundError 404",
    r"\[history\] sent 25 more messages",
    r"\[history\] iterated 26 messages \(26 distinct\), 10 per request",
    r"\[history\]   page at offset 0: 10 items of 26, next page: True",
    r"\[history\]   page at offset 10: 10 items of 26, next page: True",
    r"\[history\]   page at offset 20: 6 items of 26, next page: False",
    r"\[workflows\] queued run wr_\w+ \(queued\)",
    r"\[workflows\] run wr_\w+ of 'welcome-sequence': completed after \d+\.\d s",
    r"\[members\] deleted quickstart_\w+",
]


def example_env() -> dict[str, str]:
    """This environment, with the SDK importable and no CHIMEKIT_* or warning settings of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CHIMEKIT_", "PYTHONWARNINGS"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    # Any warning in the emulator or a quick start (an unclosed session included) is an error.
    env["PYTHONWARNINGS"] = "error"
    return env


def load_example(name: str) -> ModuleType:
    """Import an example script as a module, by path."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_run_demo_runs_both_quickstarts_against_the_emulator() -> None:
    """Exit 0, every step of both flavours printed in order, nothing leaked or warned."""
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "run_demo.py")],
        env=example_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert result.stderr == ""
    out = result.stdout
    assert re.search(r"ChimeKit emulator listening on http://127\.0\.0\.1:\d+/sdk/v1", out)
    async_part, _, sync_part = out.partition("$ python examples/quickstart_sync.py")
    for flavour, part in (("async", async_part), ("sync", sync_part)):
        position = 0
        for step in [rf"{flavour} {STEPS[0]}", *STEPS[1:], rf"{flavour} quickstart: done"]:
            match = re.compile(step).search(part, position)
            assert match, f"{flavour}: no {step!r} after position {position} in:\n{part}"
            position = match.end()
    assert out.rstrip().endswith("run_demo: all 2 quick starts passed against the emulator")


def test_run_demo_reports_a_failing_quickstart(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """A quick start that cannot reach the API makes run_script() report failure."""
    with socket.socket() as sock:  # a port nobody listens on: bound, never listening
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        for name, value in example_env().items():
            monkeypatch.setenv(name, value)
        run_demo = load_example("run_demo")

        assert run_demo.run_script("quickstart_sync.py", f"http://127.0.0.1:{port}/sdk/v1") is False

    err = capfd.readouterr().err
    assert "sync quickstart failed: " in err
    assert "run_demo: quickstart_sync.py failed with status 1" in err
