"""Everything one running emulator holds: config, store, faults, journal, schedule, limits."""

from __future__ import annotations

import asyncio

from ._config import EmulatorConfig
from ._faults import FaultSet
from ._fixtures import PERMISSIVE, Fixtures
from ._ids import stable_id
from ._journal import Journal
from ._ratelimit import RateLimiter
from ._store import Store


class EmulatorState:
    """The state behind one :func:`make_app` application.

    The store opens when the application starts (in the thread that runs its event loop, which is
    the only thread that ever touches it) and closes at cleanup.

    Args:
        config: The emulator's settings.
    """

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self.faults = FaultSet(tuple(config.faults))
        self.journal = Journal()
        self.api_key_ids = {key: stable_id("key", key) for key in config.secret_keys}
        self.run_queued_seconds = float(config.run_queued_seconds)
        self.run_running_seconds = float(config.run_running_seconds)
        self.rate_limiter = RateLimiter(config.rate_limit)
        self.fixtures = self.configured_fixtures()
        self.stopping = asyncio.Event()
        self._store: Store | None = None

    @property
    def store(self) -> Store:
        """The open store.

        Raises:
            RuntimeError: The application has not started.
        """
        if self._store is None:
            raise RuntimeError("the emulator application has not started")
        return self._store

    def configured_fixtures(self) -> Fixtures:
        """The fixtures of the configuration (permissive when it has none)."""
        if self.config.fixtures is None:
            return PERMISSIVE
        return Fixtures.from_dict(self.config.fixtures)

    def open(self) -> None:
        """Open the store (application start-up)."""
        self._store = Store(self.config.data_path)

    def close(self) -> None:
        """Close the store (application cleanup)."""
        if self._store is not None:
            self._store.close()
            self._store = None

    def reset(self) -> None:
        """Forget everything; restore the configured run schedule, rate limit and fixtures."""
        self.store.reset()
        self.journal.clear()
        self.faults.clear()
        self.run_queued_seconds = float(self.config.run_queued_seconds)
        self.run_running_seconds = float(self.config.run_running_seconds)
        self.rate_limiter.set_limit(self.config.rate_limit)
        self.fixtures = self.configured_fixtures()
