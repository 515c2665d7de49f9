"""The CLI package: its public names, its entry point, and that the SDK never loads it."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import chimekit_cli
import chimekit_sync

from .runner import SRC, environment

ROOT = SRC.parent


def test_all_is_the_command_and_its_entry_point() -> None:
    """chimekit_cli exports the click group and the console script's entry point, nothing else."""
    assert chimekit_cli.__all__ == ["cli", "main"]
    assert [name for name in vars(chimekit_cli) if not name.startswith("_")] == ["cli", "main"]


def test_console_script_and_extra_are_declared() -> None:
    """pyproject declares `chimekit = chimekit_cli:main`, the cli extra, and ships the package."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["chimekit"] == "chimekit_cli:main"
    assert project["project"]["optional-dependencies"]["cli"] == ["click>=8.1", "rich>=13.7"]
    packages = project["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert "src/chimekit_cli" in packages
    assert (SRC / "chimekit_cli" / "py.typed").is_file()


@pytest.mark.parametrize("module", ["chimekit_sync", "chimekit_async", "chimekit_core"])
def test_the_sdk_never_imports_the_cli_or_its_libraries(module: str) -> None:
    """`import chimekit_sync` (or async, or core) loads neither chimekit_cli nor click nor rich."""
    code = (
        f"import sys, {module}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('chimekit_cli', 'click', 'rich')))"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=ROOT,
        env=environment(),
    )
    assert result.stdout.strip() == "[]"


def test_version_option_prints_the_sdk_version() -> None:
    """`chimekit --version` prints the distribution's version and exits 0."""
    result = subprocess.run(
        [sys.executable, "-m", "chimekit_cli", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment(),
    )
    assert result.returncode == 0
    assert result.stdout == f"chimekit, version {chimekit_sync.__version__}\n"


def test_help_lists_every_command() -> None:
    """`chimekit --help` lists the four command groups, each with its one-line summary."""
    result = subprocess.run(
        [sys.executable, "-m", "chimekit_cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment(),
    )
    assert result.returncode == 0
    commands = result.stdout.split("Commands:\n", 1)[1].splitlines()
    assert [line.split()[0] for line in commands] == ["audience", "messages", "runs", "workflows"]


def test_main_takes_its_arguments_and_exits_with_clicks_status(tmp_path: Path) -> None:
    """main(argv) runs the command on argv: an incomplete command is a usage error, exit 2."""
    result = subprocess.run(
        [sys.executable, "-c", "import chimekit_cli; chimekit_cli.main(['runs'])"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=environment(),
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == "Usage: chimekit runs [OPTIONS] COMMAND [ARGS]..."
