"""A small HTTP forward proxy on raw sockets, independent of the SDK and of any HTTP library.

It serves absolute-form requests (``GET http://host:port/path HTTP/1.1``, one per client
connection, forwarded with ``Connection: close``) and ``CONNECT host:port`` tunnels, and logs
what it saw: every request line with its headers, and every byte the client sent into a
tunnel. With ``credentials`` it answers 407 to a request without the matching
``Proxy-Authorization``.
"""

from __future__ import annotations

import base64
import contextlib
import select
import socket
import threading
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import urlsplit

JOIN_SECONDS = 5.0
_HOP_BY_HOP = {"proxy-authorization", "proxy-connection", "connection", "keep-alive"}


@dataclass
class ProxiedRequest:
    """One request line the proxy read, with its headers (names lower-cased)."""

    method: str
    target: str
    headers: dict[str, str]
    tunnelled: bytearray = field(default_factory=bytearray)


class ForwardProxy:
    """A forward proxy on 127.0.0.1 serving from background threads; a context manager.

    Attributes:
        seen: Every request line read, in order.
    """

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self._expected_auth = None
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            self._expected_auth = f"Basic {token}"
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.seen: list[ProxiedRequest] = []

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> ForwardProxy:
        thread = threading.Thread(target=self._accept, name="forward-proxy", daemon=True)
        self._threads.append(thread)
        thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() at once
        for thread in self._threads:
            thread.join(JOIN_SECONDS)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(5.0)
        try:
            head, rest = _read_head(client)
            if head is None:
                return
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, target, _version = request_line.split(" ", 2)
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            request = ProxiedRequest(method, target, headers)
            with self._lock:
                self.seen.append(request)
            if self._expected_auth and headers.get("proxy-authorization") != self._expected_auth:
                client.sendall(
                    b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                    b'Proxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n'
                    b"Connection: close\r\n\r\n"
                )
                return
            if method == "CONNECT":
                self._tunnel(client, target, request, rest)
            else:
                self._forward(client, method, target, headers, rest)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()

    def _tunnel(
        self, client: socket.socket, target: str, request: ProxiedRequest, rest: bytes
    ) -> None:
        host, _, port = target.rpartition(":")
        try:
            upstream = socket.create_connection((host.strip("[]"), int(port)), timeout=5.0)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            if rest:
                request.tunnelled += rest
                upstream.sendall(rest)
            self._pipe(client, upstream, request.tunnelled)

    def _forward(
        self,
        client: socket.socket,
        method: str,
        target: str,
        headers: dict[str, str],
        rest: bytes,
    ) -> None:
        parts = urlsplit(target)
        if parts.scheme != "http" or not parts.hostname:
            client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            return
        length = int(headers.get("content-length", "0"))
        body = rest
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                return
            body += chunk
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        out = [f"{method} {path} HTTP/1.1"]
        out += [f"{name}: {value}" for name, value in headers.items() if name not in _HOP_BY_HOP]
        out.append("Connection: close")
        upstream = socket.create_connection((parts.hostname, parts.port or 80), timeout=5.0)
        with upstream:
            upstream.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body[:length])
            while True:
                chunk = upstream.recv(65536)
                if not chunk:
                    return
                client.sendall(chunk)

    def _pipe(self, client: socket.socket, upstream: socket.socket, log: bytearray) -> None:
        sockets = [client, upstream]
        while not self._stopping.is_set():
            readable, _, _ = select.select(sockets, [], [], 0.2)
            for sock in readable:
                data = sock.recv(65536)
                if not data:
                    return
                if sock is client:
                    with self._lock:
                        log += data
                    upstream.sendall(data)
                else:
                    client.sendall(data)


def _read_head(sock: socket.socket) -> tuple[bytes | None, bytes]:
    buffer = b""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    return head, rest
