"""How an emulator is set up: address, keys, data file, run schedule, faults, limit, fixtures."""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._faults import FaultRule
from ._fixtures import Fixtures

DEFAULT_SECRET_KEY = "sk_test_chimekit"  # noqa: S105 - the public test key
DEFAULT_HOST = "127.0.0.1"
DEFAULT_RUN_SECONDS = 0.2


@dataclass(frozen=True, slots=True, kw_only=True)
class EmulatorConfig:
    """Settings for ``make_app`` and ``EmulatorServer``.

    Args:
        host: The address to listen on.
        port: The port to listen on; 0 picks a free one.
        secret_keys: The bearer tokens the API accepts (at least one); the first is the one
            :attr:`EmulatorServer.secret_key` hands out.
        data_path: A SQLite file that keeps all state across restarts; ``None`` keeps it in memory.
        run_queued_seconds: How long a new workflow run stays ``queued``.
        run_running_seconds: How long it then stays ``running`` before it is ``completed``.
        faults: Fault rules active from the start (the admin API's reset clears them).
        rate_limit: At most this many requests per second per API key (beyond it: 429 with
            ``Retry-After``); ``None`` for no limit.
        fixtures: The workflows, categories and templates that exist (the JSON form of
            ``--fixtures``); with them, unknown ones are refused with a 404. ``None`` accepts
            anything.

    Raises:
        ValueError: A setting is out of range.

    Example:
        Two accepted keys, and workflow runs that start at once::

            EmulatorConfig(secret_keys=["sk_test_a", "sk_test_b"], run_queued_seconds=0)
    """

    host: str = DEFAULT_HOST
    port: int = 0
    secret_keys: Sequence[str] = (DEFAULT_SECRET_KEY,)
    data_path: str | os.PathLike[str] | None = None
    run_queued_seconds: float = DEFAULT_RUN_SECONDS
    run_running_seconds: float = DEFAULT_RUN_SECONDS
    faults: Sequence[FaultRule] = ()
    rate_limit: int | None = None
    fixtures: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.secret_keys, str):
            raise ValueError("secret_keys must be a sequence of keys, not one string")
        # Frozen: normalise the sequences to tuples so a config cannot change behind a server.
        object.__setattr__(self, "secret_keys", tuple(self.secret_keys))
        object.__setattr__(self, "faults", tuple(self.faults))
        if not self.secret_keys:
            raise ValueError("secret_keys must name at least one key")
        if not all(isinstance(key, str) and key for key in self.secret_keys):
            raise ValueError("secret_keys must be non-empty strings")
        if not all(isinstance(rule, FaultRule) for rule in self.faults):
            raise ValueError("faults must be FaultRule instances (see FaultRule.from_dict)")
        if not isinstance(self.port, int) or not 0 <= self.port <= 65535:
            raise ValueError("port must be between 0 and 65535")
        if self.rate_limit is not None and not (
            isinstance(self.rate_limit, int)
            and not isinstance(self.rate_limit, bool)
            and self.rate_limit >= 1
        ):
            raise ValueError("rate_limit must be an integer >= 1 (requests per second) or None")
        if self.fixtures is not None:
            Fixtures.from_dict(self.fixtures)  # raises ValueError naming the bad entry
            object.__setattr__(self, "fixtures", copy.deepcopy(dict(self.fixtures)))
        for name in ("run_queued_seconds", "run_running_seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number of seconds >= 0")
