"""``Idempotency-Key`` with Stripe's semantics.

The first 2xx response a handler produces for a key is stored (per API key) in the same
transaction as the handler's writes, so a crash can never keep one without the other. A later
request with the same key and the same method, path and body gets that response again, with
``Idempotent-Replayed: true``, and changes nothing; the same key with anything else is a 422.
Records expire after 24 hours.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ._clock import now
from ._reply import ApiError, Reply, parse_json_object
from ._store import IdempotencyRecord, Store

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
RETENTION_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 255


def read_key(value: str | None) -> str | None:
    """Validate an ``Idempotency-Key`` header value (``None`` when the header is absent).

    Raises:
        ApiError: 400 for an empty or over-long key.
    """
    if value is None:
        return None
    if not value.strip():
        raise ApiError(400, f"{HEADER} must not be empty")
    if len(value) > MAX_KEY_LENGTH:
        raise ApiError(400, f"{HEADER} must be at most {MAX_KEY_LENGTH} characters")
    return value


def parsed_body(body: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or ``None`` when it is not one."""
    try:
        return parse_json_object(body)
    except ApiError:
        return None


def fingerprint(method: str, raw_path: str, body: bytes, parsed: dict[str, Any] | None) -> str:
    """What makes two requests "the same": method, raw path and body (as JSON, key order aside).

    ``parsed`` is the body already parsed by ``parsed_body`` (``None``: not a JSON object).
    """
    if parsed is None:
        normalised = body
    else:
        normalised = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256()
    for part in (method.encode(), raw_path.encode(), normalised):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def replay(store: Store, api_key_id: str, key: str, request_fingerprint: str) -> Reply | None:
    """The stored reply for ``key``, or ``None`` when the key is new (or expired).

    Raises:
        ApiError: 422 when the key was used for a different request.
    """
    record = store.idempotency_record(api_key_id, key, now() - RETENTION_SECONDS)
    if record is None:
        return None
    if record.fingerprint != request_fingerprint:
        raise ApiError(422, f"{HEADER} {json.dumps(key)} was used with different parameters")
    return Reply(record.status, record.body, {**record.headers, REPLAY_HEADER: "true"})


def remember(
    store: Store, api_key_id: str, key: str, request_fingerprint: str, reply: Reply
) -> None:
    """Store ``reply`` as the answer to every later use of ``key``; call inside the transaction."""
    moment = now()
    record = IdempotencyRecord(
        fingerprint=request_fingerprint,
        status=reply.status,
        headers=dict(reply.headers),
        body=reply.body,
        created=moment,
    )
    store.save_idempotency(api_key_id, key, record, expire_before=moment - RETENTION_SECONDS)
