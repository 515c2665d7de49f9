"""Celery + ChimeKit: a module-level sync client shared by every task of a prefork worker.

``chimekit`` is created when this module is imported, in the worker's main process, before
Celery forks its pool processes. That is safe: the sync client opens its connections lazily
and a forked child never reuses its parent's sockets (each process gets its own pool).

A task that is still rate limited after the SDK's own retries is handed back to Celery with
``self.retry(countdown=exc.retry_after)``, so the worker process is not blocked while it
waits. The Celery task id is the message's idempotency key: a task that Celery runs again
(a retry, or a redelivery after a worker died) never sends the message twice.

This example needs no broker server: it uses kombu's filesystem transport and Celery's
filesystem result backend in the folder named by ``CHIMEKIT_CELERY_DATA`` (default
``chimekit-celery`` in the temporary directory). In production, set ``broker_url`` and
``result_backend`` to your Redis or RabbitMQ instead; nothing else changes. Run it::

    export CHIMEKIT_SECRET_KEY=sk_test_chimekit CHIMEKIT_BASE_URL=http://127.0.0.1:8787/sdk/v1
    celery -A examples.celery_app worker --pool=prefork --concurrency=2

and enqueue from Python::

    from examples.celery_app import send_welcome
    send_welcome.delay("user_123", "ava@example.com").get(timeout=30)
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from celery import Celery, Task
from celery.signals import worker_process_shutdown

from chimekit_sync import (
    APIConnectionError,
    ChannelContent,
    ChimeKit,
    EmailContent,
    EmailIdentity,
    InAppContent,
    RateLimitError,
)

# --8<-- [start:client]
chimekit = ChimeKit()  # reads CHIMEKIT_SECRET_KEY / CHIMEKIT_BASE_URL
"""The process-wide client: created at import time, shared by every task and thread."""
# --8<-- [end:client]

DATA_DIR = Path(
    os.environ.get("CHIMEKIT_CELERY_DATA", Path(tempfile.gettempdir(), "chimekit-celery"))
).resolve()
QUEUE_DIR = DATA_DIR / "queue"
PROCESSED_DIR = DATA_DIR / "processed"
CONTROL_DIR = DATA_DIR / "control"
RESULTS_DIR = DATA_DIR / "results"
for _folder in (QUEUE_DIR, PROCESSED_DIR, CONTROL_DIR, RESULTS_DIR):
    _folder.mkdir(parents=True, exist_ok=True)

app = Celery("chimekit_example")
app.conf.update(
    broker_url="filesystem://",
    broker_transport_options={
        # Producers write to and workers read from the same folder.
        "data_folder_in": str(QUEUE_DIR),
        "data_folder_out": str(QUEUE_DIR),
        "processed_folder": str(PROCESSED_DIR),
        "store_processed": True,
        "control_folder": str(CONTROL_DIR),
        "polling_interval": 0.1,
    },
    result_backend=RESULTS_DIR.as_uri(),
    broker_connection_retry_on_startup=True,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_acks_late=True,
)

RATE_LIMIT_FALLBACK_SECONDS = 5.0
"""How long to wait after a 429 that did not say how long (no ``Retry-After``)."""
CONNECTION_RETRY_SECONDS = 10.0


# --8<-- [start:task]
@app.task(bind=True, max_retries=5)
def send_welcome(self: Task, user_id: str, email: str) -> str:
    """Identify the user and send them a welcome message; return the message id.

    Raises:
        celery.exceptions.Retry: ChimeKit was rate limiting or unreachable; Celery runs the
            task again later (up to ``max_retries`` times).
        ChimeKitError: any other failure (a bad request, a wrong key): retrying won't help.
    """
    try:
        chimekit.audience.identify(user_id, identities=[EmailIdentity(email)])
        sent = chimekit.messages.send(
            user_id,
            content=ChannelContent(
                in_app=InAppContent(title="Welcome!", snippet="Thanks for signing up."),
                email=EmailContent(subject="Welcome!", body="Thanks for signing up."),
            ),
            idempotency_key=f"welcome-{self.request.id}",
        )
    except RateLimitError as exc:
        countdown = exc.retry_after if exc.retry_after is not None else RATE_LIMIT_FALLBACK_SECONDS
        raise self.retry(exc=exc, countdown=countdown) from exc
    except APIConnectionError as exc:
        # The SDK already retried a few times within this call; back off for longer.
        raise self.retry(exc=exc, countdown=CONNECTION_RETRY_SECONDS) from exc
    return sent.message.id


@worker_process_shutdown.connect
def close_chimekit(**_: object) -> None:
    """Close this pool process's connections when it exits."""
    chimekit.close()


# --8<-- [end:task]
