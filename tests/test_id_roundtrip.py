"""Any external_user_id round-trips through identify/get and reaches its own endpoint."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chimekit_async import AsyncChimeKit
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

# Any Unicode text a str can hold and UTF-8 can encode (no lone surrogates), punctuation,
# path syntax and percent signs included.
IDS = st.text(min_size=1, max_size=60) | st.sampled_from(
    ["..", ".", "/", "?", "#", "%", "%2F", "a/../b", " ", "\x00", "\u202e", "\ufeff", "🔔"]
)

SETTINGS = settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as loop_runner:
        yield loop_runner


@SETTINGS
@given(external_user_id=IDS)
def test_sync_identify_get_roundtrip(
    chimekit_emulator: EmulatorHandle, chimekit: ChimeKit, external_user_id: str
) -> None:
    """The sync client's identify then get returns the very id, via the member endpoint only."""
    before = len(chimekit_emulator.journal())
    assert chimekit.audience.identify(external_user_id).id == external_user_id
    member = chimekit.audience.get(external_user_id)
    assert member is not None
    assert member.id == external_user_id
    get = chimekit_emulator.journal()[before + 1]
    assert get["status"] == 200
    assert get["path"].startswith("/sdk/v1/audience/members/")
    assert get["path"].count("/") == 5


@SETTINGS
@given(external_user_id=IDS)
def test_async_identify_get_roundtrip(
    chimekit_emulator: EmulatorHandle, runner: asyncio.Runner, external_user_id: str
) -> None:
    """The async client's identify then get returns the very id, via the member endpoint only."""
    client = AsyncChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url)

    async def roundtrip() -> None:
        async with client:
            assert (await client.audience.identify(external_user_id)).id == external_user_id
            member = await client.audience.get(external_user_id)
            assert member is not None
            assert member.id == external_user_id

    before = len(chimekit_emulator.journal())
    runner.run(roundtrip())
    get = chimekit_emulator.journal()[before + 1]
    assert get["status"] == 200
    assert get["path"].count("/") == 5
