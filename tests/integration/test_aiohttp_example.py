"""examples/aiohttp_app.py as a real aiohttp.web server process, driven by concurrent requests."""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING

import aiohttp

from chimekit_emulator import EmulatorHandle

if TYPE_CHECKING:
    from integration.services import Spawn

REQUESTS = 200


async def test_aiohttp_app_serves_concurrent_requests_and_closes_its_client(
    spawn: Spawn, app_env: dict[str, str], chimekit_emulator: EmulatorHandle
) -> None:
    """The cleanup context's client serves every request and is closed at shutdown."""
    server = spawn(
        [sys.executable, "-W", "error", "examples/aiohttp_app.py", "--port", "0"], app_env
    )
    url = server.wait_for(r"Running on (http://127\.0\.0\.1:[1-9]\d*)", timeout=30)[1]

    async def welcome(session: aiohttp.ClientSession, n: int) -> tuple[int, dict[str, str]]:
        async with session.post(
            f"{url}/welcome/aiohttp_user_{n}", json={"email": f"user{n}@example.com"}
        ) as response:
            return response.status, await response.json()

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async with asyncio.timeout(60):
            results = await asyncio.gather(*(welcome(session, n) for n in range(REQUESTS)))
        async with session.post(f"{url}/welcome/aiohttp_user_0", data=b"not json") as response:
            assert response.status == 400
        async with session.get(f"{url}/members/aiohttp_user_3/messages") as response:
            assert response.status == 200
            history = await response.json()
        async with session.get(f"{url}/members/nobody/messages") as response:
            assert response.status == 404

    assert [status for status, _ in results] == [201] * REQUESTS
    assert [body["user_id"] for _, body in results] == [
        f"aiohttp_user_{n}" for n in range(REQUESTS)
    ]
    message_ids = {body["message_id"] for _, body in results}
    assert len(message_ids) == REQUESTS
    assert [item["id"] for item in history] == [results[3][1]["message_id"]]
    outbox = chimekit_emulator.outbox()
    assert len(outbox) == REQUESTS
    assert {entry["messageId"] for entry in outbox} == message_ids

    assert server.stop() == 0
    assert "ChimeKit client closed" in server.output
    server.assert_no_leaks()
