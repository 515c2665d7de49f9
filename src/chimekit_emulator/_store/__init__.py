"""The emulator's state, in SQLite: in memory by default, in a file with ``--data``.

Every write happens inside ``Store.transaction``, and the request pipeline commits before it
sends the response, so with a data file (rollback journal, ``synchronous=FULL``) a ``kill -9``
right after a 2xx loses nothing that was acknowledged, idempotency records included.

The store knows tables and rows, not HTTP: records come back as small dataclasses and the
handlers turn them into the API's JSON shapes. Each resource's rows live in their own module
(``_audience``, ``_suppressions``, ``_messages``, ``_workflows``, ``_idempotency``), next to the
API handlers of the same name in ``chimekit_emulator._api``; the schema is in ``_base``.
"""

from __future__ import annotations

from ._audience import AudienceTables, MemberRecord
from ._base import DEFAULT_CATEGORY_ID, DEFAULT_CATEGORY_NAME, SCHEMA_VERSION, StoreBase, StoreError
from ._idempotency import IdempotencyRecord, IdempotencyTables
from ._messages import MessageRecord, MessageTables, NotificationRecord
from ._suppressions import SuppressionRecord, SuppressionTables
from ._workflows import RunRecord, WorkflowTables

__all__ = [
    "DEFAULT_CATEGORY_ID",
    "DEFAULT_CATEGORY_NAME",
    "SCHEMA_VERSION",
    "IdempotencyRecord",
    "MemberRecord",
    "MessageRecord",
    "NotificationRecord",
    "RunRecord",
    "Store",
    "StoreError",
    "SuppressionRecord",
]


class Store(
    StoreBase,
    AudienceTables,
    SuppressionTables,
    MessageTables,
    WorkflowTables,
    IdempotencyTables,
):
    """All persistent emulator state behind one SQLite connection.

    Args:
        path: A data file, created if missing; ``None`` keeps everything in memory.

    Raises:
        StoreError: ``path`` is not an emulator data file of a supported version.
    """
