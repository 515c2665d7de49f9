"""examples/test_with_emulator.py, the pytest example users copy, run by pytest in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_copyable_pytest_example_passes_with_the_plugin_fixtures() -> None:
    """All of its tests pass, in pytest-asyncio's default strict mode as a user's project has it."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHIMEKIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "examples/test_with_emulator.py"),
            *("-p", "no:cacheprovider", "-o", "asyncio_mode=strict", "-q"),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout
    assert "skipped" not in result.stdout
    assert "warning" not in result.stdout.lower()


@pytest.mark.slow
def test_the_readme_pytest_example_passes_pasted_into_a_fresh_project(tmp_path: Path) -> None:
    """The README's example, alone in an empty project with no configuration, passes."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    marker = "<!-- readme-pytest-example -->\n```python\n"
    start = readme.index(marker) + len(marker)
    code = readme[start : readme.index("```", start)]
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_welcome.py").write_text(code, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("CHIMEKIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.match(r"^2 passed(, \d+ warnings?)? in ", result.stdout.splitlines()[-1])
    assert "chimekit" not in result.stdout.partition("warnings summary")[2]  # none of ours
