"""Fixtures for the emulator's tests."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from .harness import Api, EmulatorProcess


def pytest_configure(config: pytest.Config) -> None:
    """Register pytester and the chimekit plugin unless they are registered already.

    Done here rather than with ``pytest_plugins``, which pytest rejects in a conftest below the
    rootdir when the whole suite runs; the plugin is registered under its entry-point name, so
    once chimekit is installed (and the entry point has loaded it) this does nothing.
    """
    manager = config.pluginmanager
    if not manager.has_plugin("pytester"):
        manager.import_plugin("pytester")
    from chimekit_emulator import _plugin

    if not manager.is_registered(_plugin) and not manager.has_plugin("chimekit"):
        manager.register(_plugin, "chimekit")


@pytest.fixture
def api(chimekit_emulator: Any) -> Api:
    """A client of the (freshly reset) session emulator."""
    return Api(chimekit_emulator.base_url, chimekit_emulator.secret_key)


@pytest.fixture
def emulator_process() -> Iterator[type[EmulatorProcess]]:
    """Start emulator subprocesses; any still running at the end are stopped."""
    started: list[EmulatorProcess] = []

    class Tracked(EmulatorProcess):
        def __init__(self, *args: str, env: Mapping[str, str | None] | None = None) -> None:
            super().__init__(*args, env=env)
            started.append(self)

    yield Tracked
    for process in started:
        if process.process.poll() is None:
            process.process.kill()
            process.process.wait(15)
        process.close()
