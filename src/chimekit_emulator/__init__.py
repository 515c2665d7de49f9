"""A local, stateful emulator of the ChimeKit API, its CLI and its pytest plugin.

The emulator serves the whole ``/sdk/v1`` API over real sockets, keeps state in SQLite (memory
or a file), and adds an admin API under ``/_emulator`` for tests: a request journal, an outbox
of sent messages, fault injection (statuses, latency, resets, hangs, truncated and slow bodies,
commit-then-drop), API drift (fields omitted, nulled, added, enum values changed), a per-key
rate limit, fixtures that make unknown workflows, categories and templates an error, and
control of workflow runs.

Example:
    ::

        from chimekit_emulator import EmulatorControl, EmulatorServer

        with EmulatorServer() as server:
            control = EmulatorControl(server.admin_url)
            control.add_fault(path="^/messages/send$", status=503, times=1)
            ...  # point the SDK at server.base_url with server.secret_key
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._app import make_app
    from ._config import EmulatorConfig
    from ._control import EmulatorControl, EmulatorHandle
    from ._errors import EmulatorError
    from ._faults import FaultRule
    from ._server import EmulatorServer

__all__ = [
    "EmulatorConfig",
    "EmulatorControl",
    "EmulatorError",
    "EmulatorHandle",
    "EmulatorServer",
    "FaultRule",
    "make_app",
]

# Names load on first use (PEP 562) so that the pytest plugin, which pytest imports at start-up
# in every project with chimekit installed, does not pull in aiohttp.
_HOMES = {
    "EmulatorConfig": "_config",
    "EmulatorControl": "_control",
    "EmulatorError": "_errors",
    "EmulatorHandle": "_control",
    "EmulatorServer": "_server",
    "FaultRule": "_faults",
    "make_app": "_app",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
