"""`python3 dev.py --help` lists every task of noxfile.py without installing anything."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "dev.py"), *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_help_lists_every_nox_session_with_its_summary() -> None:
    """Each @nox.session of noxfile.py appears once, with its docstring's first line."""
    done = _run("--help")
    assert done.returncode == 0
    assert done.stderr == ""
    sessions = re.findall(r"@nox\.session\ndef (\w+)\(", (ROOT / "noxfile.py").read_text())
    listed = re.findall(r"^  (\w+) +(\S.*)$", done.stdout, flags=re.MULTILINE)
    assert [name for name, _ in listed] == sessions
    assert (
        dict(listed)["tests"] == "The whole test suite against the emulator (warnings are errors)."
    )


def test_unknown_task_is_a_usage_error() -> None:
    """A misspelt task exits 2 and says which, instead of a nox traceback."""
    done = _run("tset")
    assert done.returncode == 2
    assert done.stderr.startswith("dev.py: unknown task 'tset'")
    assert "Tasks (" in done.stdout
