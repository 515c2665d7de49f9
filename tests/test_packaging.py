"""The wheel built from the source tree holds every package, the sync one generated."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_contains_every_package(tmp_path: Path) -> None:
    """A wheel has core, async, the generated sync twin, the emulator, py.typed and entry points."""
    # Without build isolation: the test dependencies include the build requirements, and an
    # isolated build spent 5 s of CPU (15 s of wall time under load) installing them afresh.
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"),
            *("-w", str(tmp_path), str(ROOT)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("chimekit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for package in (
        "chimekit_core",
        "chimekit_async",
        "chimekit_sync",
        "chimekit_emulator",
        "chimekit_cli",
    ):
        assert f"{package}/__init__.py" in names
        assert f"{package}/py.typed" in names
    assert "chimekit_sync/_client.py" in names
    assert "chimekit_sync/_transport.py" in names
    entry_points = next(name for name in names if name.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "chimekit-emulator = chimekit_emulator._cli:main" in text
    assert "chimekit = chimekit_cli:main" in text
    assert "chimekit = chimekit_emulator._plugin" in text
    generated = zipfile.ZipFile(wheel).read("chimekit_sync/_client.py").decode()
    assert generated == (ROOT / "src/chimekit_sync/_client.py").read_text()
