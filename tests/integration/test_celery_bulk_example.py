"""examples/celery_bulk.py: 10,000 sends over a real prefork pool, one pool process killed."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from integration.services import ROOT, Spawn

from chimekit_async import AsyncChimeKit
from chimekit_emulator import EmulatorHandle

SENDS = 10_000
CHUNK = 500
CAMPAIGN = "spring"

PRODUCER = f"""
import json
from examples.celery_bulk import chimekit, fan_out

rows = (
    {{"external_user_id": f"u{{n}}", "content": {{"in_app": {{"title": "Spring sale"}}}}}}
    for n in range({SENDS})
)
summaries = fan_out({CAMPAIGN!r}, rows, chunk_size={CHUNK}).get(timeout=120, interval=0.05)
chimekit.close()
print(json.dumps(summaries))
"""


async def identify_members(emulator: EmulatorHandle) -> int:
    """Create the campaign's members; returns how many calls succeeded.

    The async client: this process also runs the emulator's thread, and 32 client threads
    contending with it for the GIL would double the CPU time of this set-up.
    """
    async with AsyncChimeKit(emulator.secret_key, base_url=emulator.base_url) as client:
        rows = ({"external_user_id": f"u{n}"} for n in range(SENDS))
        return sum(
            [result.ok async for result in client.audience.identify_many(rows, concurrency=32)]
        )


@pytest.mark.slow
def test_a_killed_pool_process_redelivers_its_chunk_and_nothing_is_sent_twice(
    spawn: Spawn, app_env: dict[str, str], chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """kill -9 of a pool process mid-chunk: the chunk runs again elsewhere, each message once."""
    env = {
        **app_env,
        "CHIMEKIT_CELERY_DATA": str(tmp_path / "celery"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "tests"), app_env["PYTHONPATH"]]),
    }
    worker = spawn(
        [
            *(sys.executable, "-m", "celery", "-A", "integration.celery_bulk_worker", "worker"),
            *("--pool=prefork", "--concurrency=2", "--loglevel=INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("--hostname", "chimekit-bulk@%h"),
        ],
        env,
    )
    # The members are created while the worker starts up (it sends nothing before the producer).
    assert asyncio.run(identify_members(chimekit_emulator)) == SENDS
    worker.wait_for(r"chimekit-bulk@\S+ ready\.", timeout=60)
    producer = subprocess.Popen(
        [sys.executable, "-c", PRODUCER],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Part way: a chunk after the first ones, with 100 of its rows sent and 400 to go.
        progress = worker.wait_for(
            rf"chunk ([3-9]|1\d) of {CAMPAIGN}: 100 sent, process (\d+)", timeout=90
        )
        killed_chunk, killed_pid = int(progress.group(1)), int(progress.group(2))
        os.kill(killed_pid, signal.SIGKILL)
        stdout, stderr = producer.communicate(timeout=120)
    finally:
        if producer.poll() is None:
            producer.kill()
            producer.communicate()
    assert producer.returncode == 0, f"{stderr}\n--- worker:\n{worker.output}"

    summaries = json.loads(stdout)
    assert sorted(summary["chunk"] for summary in summaries) == list(range(SENDS // CHUNK))
    assert all(summary["sent"] == CHUNK and summary["failed"] == [] for summary in summaries)

    outbox = chimekit_emulator.outbox()
    assert len(outbox) == SENDS
    assert sorted(entry["idempotencyKey"] for entry in outbox) == sorted(
        f"{CAMPAIGN}:u{n}" for n in range(SENDS)
    )

    # The killed chunk ran twice: first in the killed process, then in another one.
    output = worker.output
    runs = re.findall(rf"chunk {killed_chunk} of {CAMPAIGN}: {CHUNK} rows, process (\d+)", output)
    assert len(runs) == 2, output
    assert int(runs[0]) == killed_pid != int(runs[1])
    assert f"chunk {killed_chunk} of {CAMPAIGN}: done, {CHUNK} sent, 0 failed" in output
    assert worker.stop(timeout=60) == 0
