"""examples/fastapi_app.py under a real uvicorn server, driven by 500 concurrent requests."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

from chimekit_emulator import EmulatorHandle

if TYPE_CHECKING:
    from integration.services import Spawn

REQUESTS = 500

# Root logging at INFO, so the example's "ChimeKit client closed" (logged by the lifespan after
# the client is closed) shows up next to uvicorn's own lines.
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "INFO", "handlers": ["stderr"]},
}


@pytest.mark.slow
async def test_fastapi_app_serves_500_concurrent_requests_and_closes_its_client(
    spawn: Spawn,
    app_env: dict[str, str],
    chimekit_emulator: EmulatorHandle,
    tmp_path: Path,
) -> None:
    """Every request gets the lifespan's client; all succeed; shutdown closes it cleanly."""
    log_config = tmp_path / "logging.json"
    log_config.write_text(json.dumps(LOG_CONFIG))
    server = spawn(
        [
            *(sys.executable, "-W", "error", "-m", "uvicorn", "examples.fastapi_app:app"),
            *("--host", "127.0.0.1", "--port", "0", "--no-access-log"),
            *("--log-config", str(log_config)),
        ],
        app_env,
    )
    url = server.wait_for(r"Uvicorn running on (http://[\d.:]+)", timeout=30)[1]

    async def welcome(session: aiohttp.ClientSession, n: int) -> tuple[int, dict[str, str]]:
        async with session.post(
            f"{url}/welcome/fastapi_user_{n}",
            json={"email": f"user{n}@example.com", "name": f"User {n}"},
        ) as response:
            return response.status, await response.json()

    # limit=0: all 500 requests are in flight at once, on 500 connections.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        async with asyncio.timeout(90):
            results = await asyncio.gather(*(welcome(session, n) for n in range(REQUESTS)))
        async with session.get(f"{url}/members/fastapi_user_7/messages") as response:
            history = await response.json()
            assert response.status == 200
        async with session.get(f"{url}/members/nobody/messages") as response:
            assert response.status == 404
            assert "nobody" in (await response.json())["detail"]

    assert [status for status, _ in results] == [201] * REQUESTS
    assert [body["user_id"] for _, body in results] == [
        f"fastapi_user_{n}" for n in range(REQUESTS)
    ]
    message_ids = {body["message_id"] for _, body in results}
    assert len(message_ids) == REQUESTS
    assert [item["id"] for item in history] == [results[7][1]["message_id"]]

    outbox = chimekit_emulator.outbox()
    assert len(outbox) == REQUESTS
    assert {entry["messageId"] for entry in outbox} == message_ids
    assert {entry["externalUserId"] for entry in outbox} == {
        f"fastapi_user_{n}" for n in range(REQUESTS)
    }

    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal to exit by it.
    assert server.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in server.output
    assert "Finished server process" in server.output
    assert "examples.fastapi_app: ChimeKit client closed" in server.output
    server.assert_no_leaks()
