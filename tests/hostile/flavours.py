"""Run one scenario with either flavour's client, so a hostile test covers both."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from typing import Any

import pytest

from chimekit_async import AsyncChimeKit
from chimekit_sync import ChimeKit

FLAVOURS = ["async", "sync"]
SECRET = "sk_test_hostile"


def run(flavour: str, base_url: str, scenario: Callable[[Any], Any], **options: Any) -> Any:
    """Build a client of ``flavour`` for ``base_url``, run ``scenario(client)``, close it.

    ``scenario`` makes the client calls (awaitable in async, plain in sync) and returns
    what they returned; an exception propagates.
    """
    options.setdefault("secret_key", SECRET)
    if flavour == "sync":
        with ChimeKit(base_url=base_url, **options) as client:
            return scenario(client)

    async def main() -> Any:
        async with AsyncChimeKit(base_url=base_url, **options) as client:
            result = scenario(client)
            if inspect.isawaitable(result):
                result = await result
            return result

    return asyncio.run(main())


flavours = pytest.mark.parametrize("flavour", FLAVOURS)
"""Parametrize a test over both flavours (its ``flavour`` argument)."""
