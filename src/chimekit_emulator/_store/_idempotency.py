"""Stored responses to requests that carried an ``Idempotency-Key``."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ._base import Tables, dump


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """The first 2xx response to a request that carried an ``Idempotency-Key``."""

    fingerprint: str
    status: int
    headers: dict[str, str]
    body: bytes
    created: float


class IdempotencyTables(Tables):
    """The ``idempotency`` table (in the data file with ``--data``, so keys survive a restart)."""

    def idempotency_record(
        self, api_key_id: str, key: str, not_before: float
    ) -> IdempotencyRecord | None:
        """The stored response for this key, unless it was stored before ``not_before``."""
        row = self._conn.execute(
            "SELECT fingerprint, status, headers, body, created FROM idempotency"
            " WHERE api_key_id = ? AND key = ? AND created >= ?",
            (api_key_id, key, not_before),
        ).fetchone()
        if row is None:
            return None
        return IdempotencyRecord(
            fingerprint=row[0],
            status=row[1],
            headers=json.loads(row[2]),
            body=bytes(row[3]),
            created=row[4],
        )

    def save_idempotency(
        self, api_key_id: str, key: str, record: IdempotencyRecord, *, expire_before: float
    ) -> None:
        """Store a response for later replays and drop records older than ``expire_before``."""
        self._conn.execute("DELETE FROM idempotency WHERE created < ?", (expire_before,))
        self._conn.execute(
            "INSERT OR REPLACE INTO idempotency (api_key_id, key, fingerprint, status, headers,"
            " body, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                api_key_id,
                key,
                record.fingerprint,
                record.status,
                dump(record.headers),
                record.body,
                record.created,
            ),
        )
