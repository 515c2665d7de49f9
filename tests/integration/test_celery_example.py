"""examples/celery_app.py in a real prefork Celery worker, with kombu's filesystem transport."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from integration.services import ROOT, Spawn
from support import header

from chimekit_emulator import EmulatorHandle

TASKS = 200

# The producer: what a web application does. It enqueues tasks and waits for their results
# through the filesystem result backend, then closes its own (unused) module-level client.
# First one task alone, which meets the rate limit the test set up, then the batch.
PRODUCER = f"""
import json
from examples.celery_app import chimekit, send_welcome

limited = send_welcome.delay("celery_user_limited", "limited@example.com").get(timeout=60)
results = [
    send_welcome.delay(f"celery_user_{{n}}", f"user{{n}}@example.com") for n in range({TASKS})
]
message_ids = [result.get(timeout=90, interval=0.05) for result in results]
chimekit.close()
print(json.dumps({{"limited": limited, "batch": message_ids}}))
"""


@pytest.mark.slow
def test_prefork_worker_runs_200_tasks_on_the_import_time_client(
    spawn: Spawn, app_env: dict[str, str], chimekit_emulator: EmulatorHandle, tmp_path: Path
) -> None:
    """The client made at import time, before the fork, serves both pool processes.

    A send still rate limited after the SDK's retries goes back to Celery with
    self.retry(countdown=retry_after), and the task id as idempotency key keeps it to one message.
    """
    env = {**app_env, "CHIMEKIT_CELERY_DATA": str(tmp_path / "celery")}
    worker = spawn(
        [
            *(sys.executable, "-m", "celery", "-A", "examples.celery_app", "worker"),
            *("--pool=prefork", "--concurrency=2", "--loglevel=INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            *("--hostname", "chimekit-example@%h"),
        ],
        env,
    )
    worker.wait_for(r"chimekit-example@\S+ ready\.", timeout=60)
    # Three 429s: the first try and the SDK's two retries (each after the 1 s asked for).
    chimekit_emulator.add_fault(
        method="POST", path="^/messages/send$", status=429, headers={"Retry-After": "1"}, times=3
    )

    producer = subprocess.run(
        [sys.executable, "-W", "error", "-c", PRODUCER],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert producer.returncode == 0, f"{producer.stderr}\n--- worker:\n{worker.output}"
    assert producer.stderr == ""
    results = json.loads(producer.stdout)
    message_ids = results["batch"]
    assert len(message_ids) == TASKS
    assert len(set(message_ids)) == TASKS

    outbox = chimekit_emulator.outbox()
    assert len(outbox) == TASKS + 1
    batch = [entry for entry in outbox if entry["externalUserId"] != "celery_user_limited"]
    assert {entry["messageId"] for entry in batch} == set(message_ids)
    assert {entry["externalUserId"] for entry in batch} == {
        f"celery_user_{n}" for n in range(TASKS)
    }
    assert all(entry["idempotencyKey"].startswith("welcome-") for entry in outbox)

    [limited] = [entry for entry in outbox if entry["externalUserId"] == "celery_user_limited"]
    assert limited["messageId"] == results["limited"]
    sends = [
        entry for entry in chimekit_emulator.journal() if entry["path"].endswith("/messages/send")
    ]
    rate_limited = [entry for entry in sends if entry["status"] == 429]
    assert len(rate_limited) == 3
    assert {header(entry, "Idempotency-Key") for entry in rate_limited} == {
        limited["idempotencyKey"]
    }

    # Warm shutdown: the worker finishes, its pool processes close their clients and exit.
    assert worker.stop(timeout=60) == 0
    output = worker.output
    # The SDK retried twice within the task (the journal above), then Celery retried it once.
    assert len(re.findall(r"Task \S+ retry: Retry in 1(\.0)?s: RateLimitError", output)) == 1
    succeeded_in = re.findall(r"INFO/(ForkPoolWorker-\d+)\] Task \S+ succeeded", output)
    assert len(succeeded_in) == TASKS + 1
    assert len(set(succeeded_in)) == 2, "both pool processes ran tasks"
    worker.assert_no_leaks()
