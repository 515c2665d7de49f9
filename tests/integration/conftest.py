"""Fixtures for running the example applications as real server and worker processes."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

import pytest
from integration.services import ROOT, Service, Spawn

from chimekit_emulator import EmulatorHandle


@pytest.fixture
def spawn() -> Iterator[Spawn]:
    """Start child processes from the repository root; kill any left running after the test."""
    started: list[Service] = []

    def start(argv: Sequence[str], env: dict[str, str]) -> Service:
        service = Service(argv, env, ROOT)
        started.append(service)
        return service

    yield start
    for service in started:
        service.kill()


@pytest.fixture
def app_env(chimekit_emulator: EmulatorHandle) -> dict[str, str]:
    """The environment of an example process: the SDK and examples importable, the emulator set."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CHIMEKIT_", "PYTHONWARNINGS", "COV_CORE"))
    }
    paths = [str(ROOT / "src"), str(ROOT)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env.update(
        PYTHONPATH=os.pathsep.join(paths),
        PYTHONUNBUFFERED="1",
        CHIMEKIT_BASE_URL=chimekit_emulator.base_url,
        CHIMEKIT_SECRET_KEY=chimekit_emulator.secret_key,
    )
    return env
