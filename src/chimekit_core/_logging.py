"""The ``chimekit`` logger: one DEBUG record per attempt, never a credential.

Like every library it attaches no handler; ``CHIMEKIT_LOG=debug|info`` attaches one
stderr handler for users who configure nothing.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["LOGGER", "setup_from_env"]

LOGGER = logging.getLogger("chimekit")
ENV_LOG = "CHIMEKIT_LOG"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_handler: logging.Handler | None = None


def setup_from_env() -> None:
    """Attach a stderr handler at the level ``CHIMEKIT_LOG`` asks for (once per process)."""
    global _handler
    level = _LEVELS.get(os.environ.get(ENV_LOG, "").strip().lower())
    if level is None or _handler is not None:
        return
    _handler = logging.StreamHandler(sys.stderr)
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    LOGGER.addHandler(_handler)
    LOGGER.setLevel(level)
