"""The worker app of the celery_bulk test: the example's app, told of a lost pool process sooner.

When a pool process dies, Celery waits ``worker_lost_wait`` (10 s by default) for a result the
process may have published before it raises ``WorkerLostError`` and puts the task back on the
queue. A process killed with SIGKILL publishes nothing, so the test waits 1 s instead of 10;
the redelivery itself is the example's own (``acks_late``, ``reject_on_worker_lost``).
"""

from __future__ import annotations

from examples.celery_bulk import app

app.conf.worker_lost_wait = 1.0

__all__ = ["app"]
