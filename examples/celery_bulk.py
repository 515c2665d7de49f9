"""A large send fanned out over a Celery fleet: chunks of rows as tasks, each a ``send_many``.

One machine's ``send_many`` runs a few dozen calls at once; a fleet of workers runs many of
those. The producer splits the rows into chunks and enqueues one ``send_chunk`` task per
chunk; each task sends its rows with ``chimekit.messages.send_many``.

Exactly once, whatever dies: every message's ``Idempotency-Key`` is derived from the row
(the campaign and the member), never from the task or the attempt. So a chunk that runs
again, because its worker process was killed (``acks_late`` with ``reject_on_worker_lost``
puts it back on the queue), or because Celery retried it, or because someone re-ran the
whole campaign, sends again only the rows that never went out; the API replays the others.

This example needs no broker server: like ``celery_app.py`` it uses kombu's filesystem
transport and Celery's filesystem result backend in the folder named by
``CHIMEKIT_CELERY_DATA``. Run a worker::

    export CHIMEKIT_SECRET_KEY=sk_test_chimekit CHIMEKIT_BASE_URL=http://127.0.0.1:8787/sdk/v1
    celery -A examples.celery_bulk worker --pool=prefork --concurrency=4

and fan a campaign out from Python::

    from examples.celery_bulk import fan_out
    rows = ({"external_user_id": f"user_{n}", "content": {"in_app": {"title": "Hi"}}}
            for n in range(100_000))
    print(fan_out("spring-sale", rows).get(timeout=600))
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from celery import Celery, Task, group
from celery.signals import worker_process_shutdown
from celery.utils.log import get_task_logger

from chimekit_sync import APIConnectionError, APIStatusError, ChimeKit

if TYPE_CHECKING:
    from celery.result import GroupResult

chimekit = ChimeKit()  # reads CHIMEKIT_SECRET_KEY / CHIMEKIT_BASE_URL
"""The process-wide client: made before the fork, each pool process opens its own connections."""

DATA_DIR = Path(
    os.environ.get("CHIMEKIT_CELERY_DATA", Path(tempfile.gettempdir(), "chimekit-celery"))
).resolve()
QUEUE_DIR = DATA_DIR / "bulk-queue"
PROCESSED_DIR = DATA_DIR / "bulk-processed"
CONTROL_DIR = DATA_DIR / "bulk-control"
RESULTS_DIR = DATA_DIR / "bulk-results"
for _folder in (QUEUE_DIR, PROCESSED_DIR, CONTROL_DIR, RESULTS_DIR):
    _folder.mkdir(parents=True, exist_ok=True)

app = Celery("chimekit_bulk_example")
app.conf.update(
    broker_url="filesystem://",
    broker_transport_options={
        "data_folder_in": str(QUEUE_DIR),
        "data_folder_out": str(QUEUE_DIR),
        "processed_folder": str(PROCESSED_DIR),
        "store_processed": False,
        "control_folder": str(CONTROL_DIR),
        "polling_interval": 0.1,
    },
    result_backend=RESULTS_DIR.as_uri(),
    broker_connection_retry_on_startup=True,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    # One chunk at a time per process: a chunk waiting in a dead process's prefetch
    # buffer would only be redelivered late.
    worker_prefetch_multiplier=1,
)

logger = get_task_logger(__name__)

CHUNK_SIZE = 500
"""Rows per task: big enough that ``send_many`` keeps its calls busy, small enough to redo."""
CONCURRENCY = 16
"""Calls in flight per task (so per pool process)."""
RETRY_SECONDS = 10.0
"""How long a chunk with rows that failed for a transient reason waits before it runs again."""
TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


# --8<-- [start:task]
def message_key(campaign: str) -> Callable[[Mapping[str, Any]], str]:
    """The ``idempotency_key`` function of a campaign: one key per campaign and member."""

    def key(row: Mapping[str, Any]) -> str:
        return f"{campaign}:{row['external_user_id']}"

    return key


@app.task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=5)
def send_chunk(self: Task, campaign: str, chunk: int, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Send one chunk of a campaign; return how many rows were sent and which ones failed.

    ``acks_late`` and ``reject_on_worker_lost``: the chunk is acknowledged only once it has
    run, and goes back on the queue if its process dies; the row-derived keys make the
    second run send only what the first did not.

    Raises:
        celery.exceptions.Retry: some rows failed for a transient reason (rate limit,
            connection, 5xx) after the SDK's own retries; the whole chunk runs again later,
            which re-sends nothing that went out.
    """
    logger.info("chunk %d of %s: %d rows, process %d", chunk, campaign, len(rows), os.getpid())
    sent = 0
    failed: list[dict[str, Any]] = []
    transient = False
    for result in chimekit.messages.send_many(
        rows, concurrency=CONCURRENCY, idempotency_key=message_key(campaign)
    ):
        if result.ok:
            sent += 1
            if sent % 100 == 0:
                logger.info(
                    "chunk %d of %s: %d sent, process %d", chunk, campaign, sent, os.getpid()
                )
            continue
        error = result.error
        if isinstance(error, APIConnectionError) or (
            isinstance(error, APIStatusError) and error.status_code in TRANSIENT_STATUSES
        ):
            transient = True
        failed.append({"index": result.index, "error": str(error)})
    if transient:
        raise self.retry(countdown=RETRY_SECONDS)
    logger.info("chunk %d of %s: done, %d sent, %d failed", chunk, campaign, sent, len(failed))
    return {"chunk": chunk, "sent": sent, "failed": failed}


def chunks(
    rows: Iterable[dict[str, Any]], size: int = CHUNK_SIZE
) -> Iterator[list[dict[str, Any]]]:
    """Split ``rows`` into lists of ``size`` rows, reading them lazily."""
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def fan_out(
    campaign: str, rows: Iterable[dict[str, Any]], chunk_size: int = CHUNK_SIZE
) -> GroupResult:
    """Enqueue one ``send_chunk`` task per ``chunk_size`` rows; return the group's result.

    Re-running ``fan_out`` for the same campaign (the producer crashed half way) is safe:
    every row keeps its key, so nothing is sent twice.
    """
    tasks = group(
        send_chunk.s(campaign, number, chunk)
        for number, chunk in enumerate(chunks(rows, chunk_size))
    )
    result: GroupResult = tasks.apply_async()
    return result


@worker_process_shutdown.connect
def close_chimekit(**_: object) -> None:
    """Close this pool process's connections when it exits."""
    chimekit.close()


# --8<-- [end:task]
