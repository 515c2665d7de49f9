"""Running the emulator: in a background thread (``EmulatorServer``) or in the CLI's loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from types import TracebackType

from aiohttp import web

from ._app import make_app
from ._config import EmulatorConfig
from ._errors import EmulatorError

SHUTDOWN_TIMEOUT = 2.0
"""Seconds a stopping server waits for requests still in flight."""

START_TIMEOUT = 30.0

logger = logging.getLogger("chimekit_emulator")


def root_url(host: str, port: int) -> str:
    """``http://HOST:PORT`` with an IPv6 host in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _listen(host: str, port: int) -> socket.socket:
    family, _, _, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    # create_server sets SO_REUSEADDR on POSIX, so a restart can take the same port at once.
    sock = socket.create_server(address, family=family)
    sock.setblocking(False)
    return sock


async def serve(
    config: EmulatorConfig, stop: asyncio.Event, on_ready: Callable[[int], None]
) -> None:
    """Serve the emulator until ``stop`` is set.

    Args:
        config: The settings.
        stop: Set it to shut down (hung and dripping requests are cut short).
        on_ready: Called with the bound port once connections are accepted.
    """
    runner = web.AppRunner(make_app(config), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    try:
        sock = _listen(config.host, config.port)
        try:
            await web.SockSite(runner, sock).start()
        except BaseException:
            sock.close()
            raise
        on_ready(sock.getsockname()[1])
        await stop.wait()
    finally:
        await runner.cleanup()


class EmulatorServer:
    """The emulator served from a background thread with its own event loop.

    Usable from sync and async code alike (the thread never shares a loop with the caller).

    Args:
        config: Settings; by default it listens on 127.0.0.1 on a free port, accepts
            ``sk_test_chimekit`` and keeps state in memory.

    Example:
        ::

            with EmulatorServer() as server:
                client = ChimeKit(server.secret_key, base_url=server.base_url)
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self._config = config or EmulatorConfig()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._stop_requested = False
        self._port: int | None = None
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._port is not None else "not running"
        return f"<EmulatorServer {where}>"

    @property
    def config(self) -> EmulatorConfig:
        """The server's settings."""
        return self._config

    @property
    def port(self) -> int:
        """The bound port.

        Raises:
            EmulatorError: The server is not running.
        """
        if self._port is None:
            raise EmulatorError("the emulator is not running; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """The API root, ``http://127.0.0.1:PORT/sdk/v1``: pass it to the SDK as ``base_url``."""
        return f"{root_url(self._config.host, self.port)}/sdk/v1"

    @property
    def admin_url(self) -> str:
        """The admin API root, ``http://127.0.0.1:PORT/_emulator``."""
        return f"{root_url(self._config.host, self.port)}/_emulator"

    @property
    def secret_key(self) -> str:
        """A secret key the API accepts (the first of ``config.secret_keys``)."""
        return self._config.secret_keys[0]

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._port is not None

    def start(self, timeout: float = START_TIMEOUT) -> EmulatorServer:
        """Start serving; returns once connections are accepted.

        Args:
            timeout: Seconds to wait for the server to come up.

        Returns:
            The server itself, for chaining.

        Raises:
            EmulatorError: It is already running, or could not start (port taken, bad data file).
        """
        if self._thread is not None:
            raise EmulatorError("the emulator is already running")
        self._ready.clear()
        self._error = None
        self._stop_requested = False
        thread = threading.Thread(target=self._run, name="chimekit-emulator", daemon=True)
        self._thread = thread
        thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise EmulatorError(f"the emulator did not start within {timeout} seconds")
        if self._error is not None:
            thread.join()
            self._thread = None
            raise EmulatorError(f"the emulator could not start: {self._error}") from self._error
        return self

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT + 10.0) -> None:
        """Stop serving and wait for the thread to finish; does nothing when not running.

        Requests still in flight (including hung ones) are cut short.
        """
        # Flag first, then look for the loop: _main() sets the loop first, then reads the flag,
        # so a server that is still starting up is stopped either way.
        self._stop_requested = True
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None:
            return
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
        self._thread = None
        self._port = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:
            if self._port is None:
                self._error = exc  # start() re-raises it
            else:
                logger.exception("the emulator stopped with an error")
        finally:
            self._loop = None
            self._stop = None
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._stop_requested:
            self._stop.set()
        await serve(self._config, self._stop, self._on_ready)

    def _on_ready(self, port: int) -> None:
        self._port = port
        self._ready.set()
