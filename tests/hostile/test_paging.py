"""Paging a history that shrinks, grows, repeats pages or ignores ``offset``, over real sockets.

Each server keeps a newest-first list of message ids and changes it after answering a request,
independently of the emulator. Both clients page through it with their default prefetch.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import bodies
import pytest

from chimekit_async import AsyncChimeKit
from chimekit_core import APIResponseValidationError
from chimekit_sync import ChimeKit

from .servers import FunctionServer, Handler, Reply, Seen

MEMBER = "user_1"
PATH = f"/sdk/v1/messages/members/{MEMBER}/messages"
MAX_REQUESTS = 100
ORIGINAL = [f"msg_{n:02d}" for n in range(39, -1, -1)]  # 40 messages, newest first
NO_PROGRESS = (
    "message history paging made no progress: 8 pages in a row (the last at offset {offset}) "
    "held no message after those already yielded; the server may ignore `offset` (HTTP 200)"
)


def _item(message_id: str) -> dict[str, Any]:
    return {
        **bodies.HISTORY_ITEM,
        "message": {**bodies.HISTORY_MESSAGE, "id": message_id, "snippet": message_id},
        "recipient": {**bodies.RECIPIENT, "externalUserId": MEMBER},
    }


class History:
    """A server-side list that ``change(number)`` alters after request ``number`` is answered."""

    def __init__(self, change: Callable[[list[str], int], None]) -> None:
        self.ids = list(ORIGINAL)
        self.served = 0
        self._change = change
        self._lock = threading.Lock()

    def page(self, seen: Seen, offset: int | None = None) -> Reply:
        """Answer one list request from the current list, then apply the change."""
        assert seen.path == PATH, seen.path
        limit = int(seen.query["limit"])
        start = int(seen.query["offset"]) if offset is None else offset
        with self._lock:
            if self.served >= MAX_REQUESTS:  # a paginator that loops fails instead of hanging
                return Reply(400, {"error": f"more than {MAX_REQUESTS} page requests"})
            body = self.body(start, limit)
            self.served += 1
            self._change(self.ids, self.served)
        return Reply(200, body)

    def body(self, start: int, limit: int) -> dict[str, Any]:
        """The documented response for ``limit`` items from ``start``."""
        return {
            "messages": [_item(message_id) for message_id in self.ids[start : start + limit]],
            "pagination": {"totalCount": len(self.ids), "limit": limit, "offset": start},
        }


def _collect(
    flavour: str, server: FunctionServer, prefetch: int = 0
) -> tuple[list[str], BaseException | None]:
    """Page through the member's history with the real client; the ids and any error.

    Without prefetch the server sees the requests in the order they are made, so the number
    of requests is exact; with it, which of two requests in flight the server answers first
    (and so what it has changed in between) is up to the scheduler.
    """
    ids: list[str] = []
    if flavour == "sync":
        with ChimeKit(secret_key="sk_test", base_url=server.base_url, max_retries=0) as client:
            try:
                paginator = client.messages.list_for_member(MEMBER, limit=10)
                for item in paginator.with_prefetch(prefetch):
                    ids.append(item.message.id)  # noqa: PERF401 - keep ids read before an error
            except APIResponseValidationError as exc:
                return ids, exc
        return ids, None

    async def run() -> BaseException | None:
        async with AsyncChimeKit(
            secret_key="sk_test", base_url=server.base_url, max_retries=0
        ) as client:
            try:
                paginator = client.messages.list_for_member(MEMBER, limit=10)
                async for item in paginator.with_prefetch(prefetch):
                    ids.append(item.message.id)  # noqa: PERF401 - keep ids read before an error
            except APIResponseValidationError as exc:
                return exc
        return None

    return ids, asyncio.run(run())


FLAVOURS = pytest.mark.parametrize("flavour", ["async", "sync"])


@FLAVOURS
def test_oldest_expiring_after_the_first_page_loses_nothing_still_listed(
    flavour: str, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """40 messages, limit 10, the 5 oldest expire after the first page: the other 35 come once each."""

    def expire(ids: list[str], served: int) -> None:
        if served == 1:
            del ids[-5:]

    history = History(expire)
    server = function_server(history.page)
    ids, error = _collect(flavour, server)
    assert error is None
    assert ids == ORIGINAL[:35]
    assert len(server.requests) == 4


@FLAVOURS
def test_one_deletion_per_request_loses_nothing(
    flavour: str, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """The newest message is deleted after every request: all 40 still come, in order, once each."""

    def delete_newest(ids: list[str], served: int) -> None:
        del ids[0]

    history = History(delete_newest)
    server = function_server(history.page)
    ids, error = _collect(flavour, server)
    assert error is None
    assert ids == ORIGINAL
    assert len(server.requests) == 5


@FLAVOURS
@pytest.mark.parametrize("prefetch", [1, 8])
def test_deletions_and_expiry_with_requests_in_flight_lose_nothing(
    flavour: str, prefetch: int, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """With pages prefetched (the default is 1), deletions and expiry still lose nothing."""

    def delete_newest_and_expire(ids: list[str], served: int) -> None:
        del ids[0]
        if served == 1:
            del ids[-5:]

    history = History(delete_newest_and_expire)
    server = function_server(history.page)
    ids, error = _collect(flavour, server, prefetch)
    assert error is None
    assert ids == ORIGINAL[:35]


@FLAVOURS
def test_arrivals_after_every_request_are_not_yielded_and_lose_nothing(
    flavour: str, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """Three messages arrive after every request: the 40 originals come once each, no newcomer."""

    def arrive(ids: list[str], served: int) -> None:
        ids[:0] = [f"new_{served}_{n}" for n in range(3)]

    history = History(arrive)
    server = function_server(history.page)
    ids, error = _collect(flavour, server)
    assert error is None
    assert ids == ORIGINAL
    assert len(server.requests) == 5


@FLAVOURS
def test_overlapping_pages_yield_each_message_once(
    flavour: str, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """A server that starts every later page 5 items early (pages repeat items): each message once."""
    history = History(lambda ids, served: None)

    def overlapping(seen: Seen) -> Reply:
        return history.page(seen, offset=max(0, int(seen.query["offset"]) - 5))

    server = function_server(overlapping)
    ids, error = _collect(flavour, server)
    assert error is None
    assert ids == ORIGINAL
    assert len(server.requests) == 5


@FLAVOURS
def test_a_repeated_page_is_not_yielded_again(
    flavour: str, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """The second request is answered with the first page again (a stale cache): each message once."""
    history = History(lambda ids, served: None)
    answers: list[Reply] = []
    lock = threading.Lock()

    def stale_once(seen: Seen) -> Reply:
        with lock:
            reply = answers[0] if len(answers) == 1 else history.page(seen)
            answers.append(reply)
            return reply

    server = function_server(stale_once)
    ids, error = _collect(flavour, server)
    assert error is None
    assert ids == ORIGINAL
    # 6 when the stale answer goes to the prefetched page 3, 7 when to page 2 (page 3 is dropped)
    assert len(server.requests) in (6, 7)


@FLAVOURS
def test_a_server_ignoring_offset_ends_in_a_clear_error(
    flavour: str, function_server: Callable[[Handler], FunctionServer]
) -> None:
    """Always the first page, whatever the offset: an error after a bounded number of requests, no repeat."""
    history = History(lambda ids, served: None)
    server = function_server(lambda seen: history.page(seen, offset=0))
    ids, error = _collect(flavour, server)
    assert ids == ORIGINAL[:11]
    assert type(error) is APIResponseValidationError
    last_offset = server.requests[-1].query["offset"]
    assert str(error) == NO_PROGRESS.format(offset=last_offset)
    assert len(server.requests) == 10  # the first page, one with msg_29, 8 without progress
