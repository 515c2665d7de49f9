"""The request journal: what the SDK sent, what it got back, which fault hit it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._clock import iso_now

if TYPE_CHECKING:
    from aiohttp import web

MAX_JOURNAL_ENTRIES = 10_000
"""The journal keeps the most recent entries only, so a long-lived emulator stays small."""

REDACTED_AUTHORIZATION = "Bearer [redacted]"


@dataclass(slots=True)
class JournalEntry:
    """One request under ``/sdk/v1``; ``status`` is filled in once a response is sent."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    time: str
    request_id: str
    status: int | None = None
    fault: str | None = None
    fault_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape of the entry."""
        return {
            "method": self.method,
            "path": self.path,
            "headers": self.headers,
            "body": self.body,
            "status": self.status,
            "fault": self.fault,
            "faultId": self.fault_id,
            "requestId": self.request_id,
            "time": self.time,
        }


class Journal:
    """The most recent ``MAX_JOURNAL_ENTRIES`` API requests, oldest first."""

    def __init__(self) -> None:
        self._entries: deque[JournalEntry] = deque(maxlen=MAX_JOURNAL_ENTRIES)

    def record(self, request: web.BaseRequest, body: bytes | None, request_id: str) -> JournalEntry:
        """Append an entry for ``request`` (the secret in ``Authorization`` never is stored)."""
        headers: dict[str, str] = {}
        for name, value in request.headers.items():
            if name.lower() == "authorization":
                value = REDACTED_AUTHORIZATION
            elif not value.isascii():
                # aiohttp keeps undecodable bytes as surrogates, which JSON cannot carry
                value = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        entry = JournalEntry(
            method=request.method,
            path=request.raw_path,
            headers=headers,
            body=body.decode("utf-8", errors="replace") if body else None,
            time=iso_now(),
            request_id=request_id,
        )
        self._entries.append(entry)
        return entry

    def to_json(self) -> list[dict[str, Any]]:
        """Every entry, oldest first."""
        return [entry.to_json() for entry in self._entries]

    def clear(self) -> None:
        """Forget every entry."""
        self._entries.clear()
