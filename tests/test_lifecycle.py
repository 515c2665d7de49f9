"""Client lifecycles users really have: event loops come and go, threads share, processes fork."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import threading
import warnings

from chimekit_async import AsyncChimeKit
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit


def test_async_client_across_successive_asyncio_runs(chimekit_emulator: EmulatorHandle) -> None:
    """A client built outside any loop works in each of several asyncio.run() calls, leak-free."""
    client = AsyncChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url)

    async def use(index: int) -> None:
        member = await client.audience.identify(f"user_{index}")
        assert member.id == f"user_{index}"

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for index in range(5):
            asyncio.run(use(index))
        asyncio.run(client.close())
        gc.collect()


def test_async_client_survives_a_loop_closed_without_cleanup(
    chimekit_emulator: EmulatorHandle,
) -> None:
    """A loop closed by hand (no task cancellation) does not break the next loop."""
    client = AsyncChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(client.audience.get("user_1"))
    loop.close()  # the guard task of the session is never cancelled here

    async def again() -> None:
        assert await client.audience.get("user_1") is None
        await client.close()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # the abandoned socket of the dead loop
        asyncio.run(again())
        gc.collect()


def test_sync_client_shared_by_threads(chimekit_emulator: EmulatorHandle) -> None:
    """One sync client used by 16 threads at once: every call succeeds."""
    errors: list[BaseException] = []
    with ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as client:

        def work(thread: int) -> None:
            try:
                for call in range(10):
                    member = client.audience.identify(f"t{thread}-{call}")
                    assert member.id == f"t{thread}-{call}"
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert len(chimekit_emulator.journal()) == 160


def test_sync_client_after_fork(chimekit_emulator: EmulatorHandle) -> None:
    """A child of os.fork() (Celery prefork) opens its own connections and works; so does the parent."""
    with ChimeKit(chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url) as client:
        client.audience.identify("before-fork")  # the parent now holds a pooled connection
        read, write = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork() in a threaded process
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            os.close(read)
            code = 1
            try:
                ok = all(
                    client.audience.identify(f"child-{n}").id == f"child-{n}" for n in range(5)
                )
                code = 0 if ok else 1
            finally:
                os.write(write, str(code).encode())
                os._exit(code)
        os.close(write)
        _, status = os.waitpid(pid, 0)
        assert os.read(read, 1) == b"0"
        os.close(read)
        assert os.waitstatus_to_exitcode(status) == 0
        assert client.audience.get("child-4") is not None
        assert client.audience.identify("after-fork").id == "after-fork"


def test_import_does_not_load_http_stacks() -> None:
    """Importing either flavour loads no HTTP stack (nor asyncio) until it is used."""
    import subprocess

    for module, forbidden in (
        ("chimekit_async", ("aiohttp", "urllib3", "tenacity", "cattrs", "asyncio")),
        ("chimekit_sync", ("aiohttp", "urllib3", "tenacity", "cattrs", "asyncio")),
    ):
        code = f"import sys, {module}; print(sorted(m for m in {forbidden!r} if m in sys.modules))"
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout.strip()
        assert out == "[]", f"{module} imported {out}"
