"""Helpers for the emulator's tests: a plain HTTP client, raw sockets, a CLI subprocess."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import chimekit_emulator

SRC_DIR = Path(chimekit_emulator.__file__).resolve().parents[1]
NO_BODY: Any = object()


@dataclass
class Response:
    """A response as received: status, headers and raw body."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    @property
    def error(self) -> str:
        """The ``error`` message of an error body."""
        return str(self.json()["error"])


class Api:
    """A deliberately plain HTTP client: the path goes on the wire exactly as given."""

    def __init__(self, base_url: str, secret_key: str) -> None:
        parts = urlsplit(base_url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.prefix = parts.path
        self.secret_key = secret_key

    def request(
        self,
        method: str,
        path: str,
        body: Any = NO_BODY,
        *,
        headers: Mapping[str, str] | None = None,
        key: str | None = "",
        raw: bytes | None = None,
        prefix: str | None = None,
    ) -> Response:
        """Send one request; ``key=None`` sends no Authorization header, ``raw`` a raw body."""
        all_headers = {"Accept": "application/json"}
        if key is not None:
            all_headers["Authorization"] = f"Bearer {key or self.secret_key}"
        payload = raw
        if body is not NO_BODY:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            target = (self.prefix if prefix is None else prefix) + path
            connection.request(method, target, body=payload, headers=all_headers)
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path: str, **kwargs: Any) -> Response:
        """GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Response:
        """POST with a JSON body."""
        return self.request("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = NO_BODY, **kwargs: Any) -> Response:
        """PUT with a JSON body."""
        return self.request("PUT", path, body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Response:
        """DELETE."""
        return self.request("DELETE", path, **kwargs)

    def identify(self, external_id: str = "user_123", **fields: Any) -> dict[str, Any]:
        """Identify a member (with an email by default) and return it."""
        body = {"externalUserId": external_id, **fields}
        body.setdefault("identities", [{"type": "email", "value": f"{external_id}@example.com"}])
        response = self.post("/audience/identify", body)
        assert response.status == 200, response.body
        member: dict[str, Any] = response.json()["member"]
        return member

    def send(
        self,
        external_id: str = "user_123",
        *,
        headers: Mapping[str, str] | None = None,
        **body: Any,
    ) -> Response:
        """Send a message (an in-app one by default)."""
        body.setdefault("content", {"in_app": {"title": "Hello"}})
        return self.post("/messages/send", {"externalUserId": external_id, **body}, headers=headers)


def segment(value: str) -> str:
    """``value`` percent-encoded as one path segment."""
    return quote(value, safe="")


def shape(value: Any) -> Any:
    """The key structure of a JSON value: objects by key, arrays by their first item, leaves as
    ``"value"``; ``null`` stays distinct from an object, so null-vs-object mistakes show."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None if value is None else "value"


def raw_exchange(
    host: str, port: int, request: bytes, *, timeout: float = 5.0
) -> tuple[list[bytes], BaseException | None]:
    """Send raw bytes and collect what comes back, piece by piece, until EOF, error or timeout."""
    pieces: list[bytes] = []
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        while True:
            try:
                piece = sock.recv(65536)
            except (TimeoutError, OSError) as exc:
                return pieces, exc
            if not piece:
                return pieces, None
            pieces.append(piece)


def http_request_bytes(
    api: Api, method: str, path: str, body: Any = NO_BODY, headers: Mapping[str, str] | None = None
) -> bytes:
    """A complete HTTP/1.1 request for ``raw_exchange``."""
    payload = b"" if body is NO_BODY else json.dumps(body).encode()
    lines = [
        f"{method} {api.prefix}{path} HTTP/1.1",
        f"Host: {api.host}:{api.port}",
        f"Authorization: Bearer {api.secret_key}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in (headers or {}).items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def split_http(data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and body of a raw HTTP/1.1 response."""
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


CLI = [sys.executable, "-m", "chimekit_emulator"]


def child_env(changes: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """This process's environment with ``changes`` (``None`` removes) and ``src`` importable."""
    env = dict(os.environ)
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    env["PYTHONPATH"] = os.pathsep.join([str(SRC_DIR), *filter(None, [env.get("PYTHONPATH")])])
    return env


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion (for arguments that make it exit)."""
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=child_env(), timeout=timeout, check=False
    )


class EmulatorProcess:
    """``python -m chimekit_emulator`` as a subprocess."""

    def __init__(self, *args: str, env: Mapping[str, str | None] | None = None) -> None:
        self.process = subprocess.Popen(
            [*CLI, "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=child_env(env),
            text=True,
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline()
        if not self.first_line:
            self.process.wait(10)
            error = self.stderr()
            self.close()
            raise AssertionError(f"the emulator did not start: {error}")
        self.base_url = self.first_line.strip().rpartition(" ")[2]
        self.admin_url = self.base_url.removesuffix("/sdk/v1") + "/_emulator"

    def stderr(self) -> str:
        """What the process wrote to stderr (waits for it to end)."""
        assert self.process.stderr is not None
        return self.process.stderr.read()

    def api(self, secret_key: str = "sk_test_chimekit") -> Api:
        """A client of this process's API."""
        return Api(self.base_url, secret_key)

    def stop(self) -> int:
        """SIGTERM, then wait; returns the exit status."""
        if self.process.poll() is None:
            self.process.terminate()
        code = self.process.wait(15)
        self.close()
        return code

    def kill(self) -> None:
        """SIGKILL, then wait."""
        self.process.kill()
        self.process.wait(15)
        self.close()

    def close(self) -> None:
        """Close the pipes."""
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it is true (a generous bound, not a timing assertion)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)
