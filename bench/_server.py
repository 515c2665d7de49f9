"""A fast canned-response ChimeKit server for the benchmarks (stdlib only).

Run in its own process so that it is never the bottleneck of the client under test:

    python bench/_server.py --port 0 --total 10000 [--page-delay-ms 20]

It prints ``PORT <n>`` on stdout once it listens, then serves HTTP/1.1 with keep-alive:

- ``GET /sdk/v1/audience/members/{id}``: the documented member body;
- ``GET /sdk/v1/messages/members/{id}/messages?limit=&offset=``: a page of a newest-first
  history of ``--total`` messages, shaped exactly as the API reference shows;
- anything else: ``404 {"error": "Not found"}``.

Every response carries ``Content-Type: application/json``, ``Content-Length`` and a
distinct ``X-Request-Id``. ``--page-delay-ms`` delays each message page with
``loop.call_later``, so a slow page never holds up other connections.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from collections import OrderedDict
from urllib.parse import parse_qsl, unquote

MEMBER_PREFIX = "/sdk/v1/audience/members/"
MESSAGES_PREFIX = "/sdk/v1/messages/members/"
MAX_LIMIT = 100
PAGE_CACHE = 256  # pages kept ready-made (a 100-item page is ~50 KB)


def member_body(external_user_id: str) -> bytes:
    """The body of ``GET /audience/members/{id}``, as in the API reference."""
    return json.dumps(
        {
            "member": {
                "id": external_user_id,
                "email": "ava@example.com",
                "displayName": "Ava Example",
                "identities": [{"type": "email", "value": "ava@example.com", "verified": True}],
                "attributes": {"plan": "pro"},
                "created": "2025-01-01T00:00:00.000Z",
                "updated": "2025-01-01T00:00:00.000Z",
                "deleted": None,
                "lastSeen": None,
            }
        },
        separators=(",", ":"),
    ).encode()


# One history item; only the id, timestamp and snippet differ between messages.
_ITEM = (
    '{"message":{"id":"msg_%08d","memberId":"mem_123","categoryId":"cat_123","source":"sdk",'
    '"dispatchStatus":"dispatched","scheduledFor":null,"createdAt":"%s",'
    '"snippet":"A quick hello from ChimeKit (message %d)"},"delivery":null,'
    '"recipient":{"id":"mem_123","externalUserId":"user_123","displayName":"Ava Example",'
    '"email":"ava@example.com"},"category":{"id":"cat_123","name":"Product"}}'
)


def _timestamp(number: int) -> str:
    # Message n was created n minutes after 2025-01-01 (a distinct, valid ISO-8601 UTC time).
    minutes = number
    day, minutes = divmod(minutes, 24 * 60)
    hour, minute = divmod(minutes, 60)
    month, day = divmod(day % 336, 28)
    return f"2025-{month + 1:02d}-{day + 1:02d}T{hour:02d}:{minute:02d}:00.000Z"


# The same, with a recipient and category of its own in every item (never served: the
# history of one member repeats one recipient; bench/run.py parses it to show the worst case).
_DISTINCT_ITEM = (
    '{"message":{"id":"msg_%08d","memberId":"mem_123","categoryId":"cat_%d","source":"sdk",'
    '"dispatchStatus":"dispatched","scheduledFor":null,"createdAt":"%s",'
    '"snippet":"A quick hello from ChimeKit (message %d)"},"delivery":null,'
    '"recipient":{"id":"mem_%d","externalUserId":"user_%d","displayName":"Member %d",'
    '"email":"member%d@example.com"},"category":{"id":"cat_%d","name":"Category %d"}}'
)


def page_body(total: int, limit: int, offset: int, *, distinct: bool = False) -> bytes:
    """The body of a history page: newest first, message ``total - position``."""
    end = min(total, offset + limit)
    items = []
    for position in range(offset, end):
        number = total - position
        if distinct:
            items.append(_DISTINCT_ITEM % ((number, number, _timestamp(number)) + (number,) * 7))
        else:
            items.append(_ITEM % (number, _timestamp(number), number))
    pagination = f'{{"totalCount":{total},"limit":{limit},"offset":{offset}}}'
    return ('{"messages":[' + ",".join(items) + '],"pagination":' + pagination + "}").encode()


class Server:
    """The canned responses and their cache."""

    def __init__(self, total: int, page_delay: float) -> None:
        self.total = total
        self.page_delay = page_delay
        self.requests = 0
        self.member_user_123 = member_body("user_123")
        self.pages: OrderedDict[tuple[int, int], bytes] = OrderedDict()

    def page(self, limit: int, offset: int) -> bytes:
        key = (limit, offset)
        body = self.pages.get(key)
        if body is None:
            body = self.pages[key] = page_body(self.total, limit, offset)
            if len(self.pages) > PAGE_CACHE:
                self.pages.popitem(last=False)
        return body

    def route(self, target: str) -> tuple[int, bytes, float]:
        """Status, body and delay (seconds) for a GET of ``target``."""
        path, _, query = target.partition("?")
        if path.startswith(MESSAGES_PREFIX) and path.endswith("/messages"):
            params = dict(parse_qsl(query))
            try:
                limit = int(params.get("limit", "20"))
                offset = int(params.get("offset", "0"))
            except ValueError:
                return 400, b'{"error":"Invalid limit or offset"}', 0.0
            if not 1 <= limit <= MAX_LIMIT or offset < 0:
                return 400, b'{"error":"Invalid limit or offset"}', 0.0
            return 200, self.page(limit, offset), self.page_delay
        if path.startswith(MEMBER_PREFIX):
            member_id = path[len(MEMBER_PREFIX) :]
            if member_id == "user_123":
                return 200, self.member_user_123, 0.0
            if member_id and "/" not in member_id:
                return 200, member_body(unquote(member_id)), 0.0
        return 404, b'{"error":"Not found"}', 0.0


_REASONS = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}


class HTTPProtocol(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; requests on one connection are answered in order."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.ready_at = 0.0  # responses on one connection leave in order, even when delayed

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer + data if self.buffer else data
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            head = buffer[:end]
            body_length = 0
            lower = head.lower()
            at = lower.find(b"\r\ncontent-length:")
            if at >= 0:
                line_end = lower.find(b"\r\n", at + 2)
                raw = lower[at + 17 : line_end if line_end >= 0 else len(lower)]
                body_length = int(raw.strip() or b"0")
            if len(buffer) < end + 4 + body_length:
                break
            buffer = buffer[end + 4 + body_length :]
            self.respond(head, close=b"\r\nconnection: close" in lower)
        self.buffer = buffer

    def respond(self, head: bytes, *, close: bool) -> None:
        assert self.transport is not None
        line_end = head.find(b"\r\n")
        request_line = head[: line_end if line_end >= 0 else len(head)]
        parts = request_line.split(b" ")
        if len(parts) != 3:
            self.transport.close()
            return
        method, target = parts[0], parts[1].decode("latin-1")
        if method == b"GET":
            status, body, delay = self.server.route(target)
        else:
            status, body, delay = 404, b'{"error":"Not found"}', 0.0
        server = self.server
        server.requests += 1
        header = (
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"X-Request-Id: req_%d\r\n%s\r\n"
            % (
                status,
                _REASONS[status],
                len(body),
                server.requests,
                b"Connection: close\r\n" if close else b"",
            )
        )
        data = header + body
        if delay <= 0 and self.ready_at == 0.0:
            self.transport.write(data)
            if close:
                self.transport.close()
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        send_at = max(now + delay, self.ready_at)
        self.ready_at = send_at
        loop.call_at(send_at, self._send_later, data, close, send_at)

    def _send_later(self, data: bytes, close: bool, send_at: float) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        self.transport.write(data)
        if self.ready_at == send_at:
            self.ready_at = 0.0
        if close:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(host: str, port: int, total: int, page_delay: float) -> None:
    loop = asyncio.get_running_loop()
    state = Server(total, page_delay)
    server = await loop.create_server(
        lambda: HTTPProtocol(state), host, port, backlog=1024, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {bound}\n")
    sys.stdout.flush()
    stop = loop.create_future()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set_result, None)
    async with server:
        await stop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--total", type=int, default=10_000, help="messages in the history")
    parser.add_argument("--page-delay-ms", type=float, default=0.0)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.total, args.page_delay_ms / 1000.0))


if __name__ == "__main__":
    main()
