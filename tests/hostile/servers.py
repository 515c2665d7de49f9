"""An ``http.server`` that answers each request from a Python function.

For data-level misbehaviour (fields omitted, lists that shrink, offsets ignored); protocol-level
misbehaviour (dripped bytes, oversized headers) uses ``reliability.rawserver.RawServer``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Seen:
    """One request as the server read it."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    def header_values(self, name: str) -> list[str]:
        """Every value sent under ``name`` (in any letter case), in wire order."""
        return [value for key, value in self.raw_headers if key.lower() == name.lower()]

    def json(self) -> Any:
        """The request body decoded as JSON."""
        return json.loads(self.body)


@dataclass
class Reply:
    """What to answer: a status, headers and a body (a JSON value or raw bytes)."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        """The body as bytes."""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


Handler = Callable[[Seen], Reply]


class FunctionServer:
    """A threaded HTTP/1.1 server on 127.0.0.1; ``requests`` lists every request seen."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        outer = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                """Stay quiet."""

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                    raw_headers=list(self.headers.items()),
                )
                with outer._lock:
                    outer.requests.append(seen)
                reply = handler(seen)
                body = reply.encoded()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _RequestHandler)
        self._server.daemon_threads = True
        # shutdown() waits for serve_forever to look at its flag, once per poll_interval (0.5 s
        # by default): a short one makes stop() take milliseconds instead of half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The SDK base URL of this server."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/sdk/v1"

    def start(self) -> FunctionServer:
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


@contextmanager
def serve(handler: Handler) -> Iterator[FunctionServer]:
    """Serve ``handler`` for the duration of the ``with`` block."""
    server = FunctionServer(handler).start()
    try:
        yield server
    finally:
        server.stop()
