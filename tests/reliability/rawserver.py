"""A tiny HTTP/1.1 server on raw sockets, for behaviour the emulator cannot produce.

Each accepted connection runs a ``script(conn)`` in its own thread; the script reads requests
and writes whatever bytes it likes: a keep-alive answer followed by a close, a body larger than
the SDK accepts, a gzip bomb, a redirect target that only counts its hits.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

JOIN_SECONDS = 5.0


@dataclass
class RawRequest:
    """One request as read from the socket."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RawConnection:
    """One accepted connection, as its script sees it."""

    number: int
    sock: socket.socket
    _buffer: bytearray = field(default_factory=bytearray)

    def read_request(self) -> RawRequest | None:
        """The next request on this connection, or ``None`` once the client has closed it."""
        while b"\r\n\r\n" not in self._buffer:
            if not self._fill():
                return None
        head, _, rest = bytes(self._buffer).partition(b"\r\n\r\n")
        self._buffer = bytearray(rest)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers: dict[str, str] = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(self._buffer) < length:
            if not self._fill():
                return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return RawRequest(method, target, headers, body)

    def _fill(self) -> bool:
        try:
            data = self.sock.recv(65536)
        except OSError:
            return False
        self._buffer += data
        return bool(data)

    def send(self, data: bytes) -> bool:
        """Write ``data``; ``False`` when the client has gone away."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def close(self) -> None:
        """An orderly close (FIN)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    def reset(self) -> None:
        """Close with a TCP RST."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


def response_head(
    status: int = 200,
    headers: dict[str, str] | None = None,
    *,
    reason: str = "OK",
) -> bytes:
    """A status line and headers, ending with the blank line."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_response(body: bytes, *, keep_alive: bool = True, status: int = 200) -> bytes:
    """A whole JSON response with a Content-Length."""
    headers = {
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
        "Connection": "keep-alive" if keep_alive else "close",
    }
    return response_head(status, headers) + body


Script = Callable[[RawConnection], None]


class RawServer:
    """Serve ``script`` on 127.0.0.1 from background threads; a context manager.

    Attributes:
        requests: Every request a script read, as ``(connection number, request)``.
        connections: How many connections were accepted.
        closed: The numbers of the connections whose script has ended and which are closed.
    """

    def __init__(self, script: Script) -> None:
        self._script = script
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._open: list[RawConnection] = []
        self._lock = threading.Lock()
        self._closed_changed = threading.Condition(self._lock)
        self.requests: list[tuple[int, RawRequest]] = []
        self.connections = 0
        self.closed: list[int] = []
        self.errors: list[BaseException] = []

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._listener.getsockname()[1])

    def url(self, path: str = "/sdk/v1") -> str:
        """An ``http://127.0.0.1:PORT`` URL with ``path``."""
        return f"http://127.0.0.1:{self.port}{path}"

    def record(self, conn: RawConnection, request: RawRequest) -> None:
        """Remember a request (scripts call this for every request they read)."""
        with self._lock:
            self.requests.append((conn.number, request))

    def wait_closed(self, number: int, timeout: float = 5.0) -> None:
        """Block until connection ``number`` is closed (its FIN sent); fail after ``timeout`` s."""
        with self._closed_changed:
            if not self._closed_changed.wait_for(lambda: number in self.closed, timeout):
                raise AssertionError(f"connection {number} not closed within {timeout} s")

    def __enter__(self) -> RawServer:
        accept = threading.Thread(target=self._accept, name="raw-server-accept", daemon=True)
        self._threads.append(accept)
        accept.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            conn.close()
        with contextlib.suppress(OSError):
            self._listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() at once
        for thread in self._threads:
            thread.join(JOIN_SECONDS)
        self._listener.close()
        if self.errors and exc_type is None:
            raise self.errors[0]

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(None)
            with self._lock:
                self.connections += 1
                conn = RawConnection(self.connections, sock)
                self._open.append(conn)
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: RawConnection) -> None:
        try:
            self._script(conn)
        except OSError:
            pass  # the client went away mid-write: what these scripts provoke
        except BaseException as exc:  # surfaced by __exit__
            self.errors.append(exc)
        finally:
            conn.close()
            with self._closed_changed:
                self.closed.append(conn.number)
                self._closed_changed.notify_all()
