"""Every task of the project: `nox -s tests lint typecheck codegen bench demo docs build`.

`nox` with no arguments runs the default set (tests, lint, typecheck, codegen).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")

nox.options.sessions = ["tests", "lint", "typecheck", "codegen"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


def _install(session: nox.Session, *groups: str, editable: bool = True) -> None:
    deps = [dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)]
    if editable:
        _install_once(session, ["-e", ".", *deps])
    elif deps:
        _install_once(session, deps)


def _install_once(session: nox.Session, *commands: list[str]) -> None:
    """Run these ``pip install`` commands unless this virtualenv already ran them.

    pip takes seconds to find that everything is installed; the venv records what it was
    given (the commands and pyproject.toml) and a repeat run skips them. An edit of
    pyproject.toml, or another session's commands, installs again.
    """
    stamp = hashlib.sha256(repr(commands).encode() + (ROOT / "pyproject.toml").read_bytes())
    location = getattr(session.virtualenv, "location", None)  # None without a virtualenv
    marker = Path(location) / ".chimekit-installed" if location else None
    if marker is not None and marker.is_file() and marker.read_text() == stamp.hexdigest():
        session.log("dependencies unchanged since the last run: not reinstalled")
        return
    for command in commands:
        session.install(*command)
    if marker is not None and marker.parent.is_dir():
        marker.write_text(stamp.hexdigest())


@nox.session
def tests(session: nox.Session) -> None:
    """The whole test suite against the emulator (warnings are errors)."""
    # The test group holds the build requirements, so the project installs without build
    # isolation: an isolated build installs them afresh on every run (3 s of a run's budget).
    groups = ("test", "integration")
    deps = [dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)]
    _install_once(
        session,
        [*PYPROJECT["project"]["dependencies"], *deps],
        ["--no-build-isolation", "--no-deps", "-e", "."],
    )
    # Four workers on two cores: most tests wait on sockets and subprocesses, not the CPU;
    # worksteal keeps a worker from idling behind another's queue of slow tests.
    session.run("pytest", *(session.posargs or ["-q", "-n", "4", "--dist", "worksteal"]))


@nox.session
def lint(session: nox.Session) -> None:
    """ruff lint and format check, and the codegen drift check."""
    _install(session, "lint", editable=False)
    session.run("ruff", "check", ".")  # generated files too: the generator lints its output
    session.run("ruff", "format", "--check", ".")
    session.run("python", "codegen/generate.py", "--check")


@nox.session
def codegen(session: nox.Session) -> None:
    """Regenerate the sync twin (`-- --check` only checks)."""
    _install(session, "lint", editable=False)
    session.run("python", "codegen/generate.py", *session.posargs)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict on every package (generated ones too) and the typing tests with pyright."""
    _install(session, "typecheck")
    session.run("mypy")
    session.run("mypy", "tests/typing")
    session.run("pyright", "tests/typing")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against raw aiohttp/urllib3/httpx/pydantic, in one run; writes bench/results."""
    _install(session, "bench")
    session.run("python", "bench/run.py", *session.posargs)


@nox.session
def bench_bulk(session: nox.Session) -> None:
    """The bulk calls: send_many vs a loop at 20 ms latency, memory, rate-limit convergence."""
    _install(session)
    session.run("python", "bench/bulk.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Start the emulator and run examples/quickstart.py against it (both flavours)."""
    _install(session)
    session.run("python", "examples/run_demo.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Build the documentation site with --strict."""
    _install(session, "docs")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def build(session: nox.Session) -> None:
    """Build sdist and wheel, install the wheel in a fresh venv, run the quickstart with it."""
    _install(session, editable=False)
    session.install("build")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    wheels = sorted(dist.glob("chimekit-*.whl"))
    session.log(f"built: {[p.name for p in dist.iterdir()]}")
    with tempfile.TemporaryDirectory() as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
        session.run(str(python), "-m", "pip", "install", "-q", str(wheels[-1]), external=True)
        session.run(
            str(python),
            str(ROOT / "examples" / "run_demo.py"),
            external=True,
            env={"PYTHONPATH": ""},
        )
