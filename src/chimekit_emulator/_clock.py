"""Wall-clock time and the API's timestamp format (ISO-8601, UTC, milliseconds, ``Z``)."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> float:
    """Seconds since the epoch; the one clock every timestamp in the emulator comes from."""
    return time.time()


def iso(epoch: float) -> str:
    """Format ``epoch`` the way the API does: ``2025-01-01T00:00:00.000Z``."""
    moment = datetime.fromtimestamp(epoch, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def iso_now() -> str:
    """The current time in the API's timestamp format."""
    return iso(now())
