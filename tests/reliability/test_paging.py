"""Paging a long history while it grows and while page requests fail."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from support import sdk_requests

from chimekit_async import AsyncChimeKit, ChannelContent, InAppContent
from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChimeKit

from .checks import assert_no_resource_warnings

MEMBER = "pager"
HISTORY = 1000
ARRIVALS = 50
ARRIVAL_EVERY = 19  # a new message after every 19 items read: all 50 arrive mid-iteration
PAGE = 20
LIST_PATH = rf"^/messages/members/{MEMBER}/messages\?"
HISTORY_PATH = f"/messages/members/{MEMBER}/messages"
WAIT_SECONDS = 30.0


def _content(label: str) -> ChannelContent:
    return ChannelContent(in_app=InAppContent(title=label))


def _milestone(seen: int) -> int | None:
    """The arrival due after ``seen`` items have been read, if any."""
    if seen % ARRIVAL_EVERY == 0 and seen // ARRIVAL_EVERY <= ARRIVALS:
        return seen // ARRIVAL_EVERY - 1
    return None


def _check_journal(control: EmulatorHandle) -> None:
    """Pages failed now and then, and every new message arrived between page requests."""
    journal = sdk_requests(control.journal())
    reads = [n for n, e in enumerate(journal) if f"{HISTORY_PATH}?" in e["path"]]
    pages = reads[HISTORY // 100 :]  # after the raw reads of the expected ids
    assert all(journal[n]["status"] in (200, 503) for n in pages)
    assert any(journal[n]["status"] == 503 for n in pages), "no page request failed"
    arrivals = [n for n, e in enumerate(journal) if n > pages[0] and e["method"] == "POST"]
    assert len(arrivals) == ARRIVALS
    assert arrivals[-1] < pages[-1]


async def test_async_paging_yields_each_original_message_once_under_faults_and_arrivals(
    chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """Async: 1,000 messages, 50 arriving meanwhile, 10% of pages 503: each original once, in order."""
    async with AsyncChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, max_retries=6
    ) as client:
        await client.audience.identify(MEMBER)
        semaphore = asyncio.Semaphore(32)

        async def send(label: str) -> str:
            async with semaphore:
                return (await client.messages.send(MEMBER, content=_content(label))).message.id

        await asyncio.gather(*(send(f"old {n}") for n in range(HISTORY)))
        expected: list[str] = []
        for offset in range(0, HISTORY, 100):  # raw requests, not the paginator under test
            page = await client.request(
                "GET", HISTORY_PATH, params={"limit": 100, "offset": offset}
            )
            expected += [item["message"]["id"] for item in page["messages"]]
        assert len(set(expected)) == HISTORY

        chimekit_emulator.add_fault(
            method="GET", path=LIST_PATH, status=503, probability=0.1, seed=4242
        )
        due = [asyncio.Event() for _ in range(ARRIVALS)]
        sent = [asyncio.Event() for _ in range(ARRIVALS)]
        arrived: list[str] = []

        async def arrivals() -> None:
            for number in range(ARRIVALS):
                await due[number].wait()
                arrived.append(await send(f"new {number}"))
                sent[number].set()

        arrival_task = asyncio.create_task(arrivals())
        seen: list[str] = []
        try:
            async with asyncio.timeout(WAIT_SECONDS):
                async for item in client.messages.list_for_member(MEMBER, limit=PAGE):
                    seen.append(item.message.id)
                    number = _milestone(len(seen))
                    if number is not None:  # the next page is in flight meanwhile
                        due[number].set()
                        await sent[number].wait()
        finally:
            arrival_task.cancel()

    assert len(arrived) == ARRIVALS
    assert seen == expected
    assert not set(arrived) & set(seen)
    _check_journal(chimekit_emulator)
    assert_no_resource_warnings()


def test_sync_paging_yields_each_original_message_once_under_faults_and_arrivals(
    chimekit_emulator: EmulatorHandle, retry_waits: list[float]
) -> None:
    """Sync: 1,000 messages, 50 arriving from a thread, 10% of pages 503: each original once, in order."""
    with ChimeKit(
        chimekit_emulator.secret_key, base_url=chimekit_emulator.base_url, max_retries=6
    ) as client:
        client.audience.identify(MEMBER)

        def send(label: str) -> str:
            return client.messages.send(MEMBER, content=_content(label)).message.id

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(send, [f"old {n}" for n in range(HISTORY)]))
        expected: list[str] = []
        for offset in range(0, HISTORY, 100):  # raw requests, not the paginator under test
            page = client.request("GET", HISTORY_PATH, params={"limit": 100, "offset": offset})
            expected += [item["message"]["id"] for item in page["messages"]]
        assert len(set(expected)) == HISTORY

        chimekit_emulator.add_fault(
            method="GET", path=LIST_PATH, status=503, probability=0.1, seed=4343
        )
        due = [threading.Event() for _ in range(ARRIVALS)]
        sent = [threading.Event() for _ in range(ARRIVALS)]
        arrived: list[str] = []
        stop = threading.Event()

        def arrivals() -> None:
            for number in range(ARRIVALS):
                while not due[number].wait(0.05):
                    if stop.is_set():
                        return
                arrived.append(send(f"new {number}"))
                sent[number].set()

        thread = threading.Thread(target=arrivals, name="arrivals")
        thread.start()
        seen: list[str] = []
        try:
            for item in client.messages.list_for_member(MEMBER, limit=PAGE):
                seen.append(item.message.id)
                number = _milestone(len(seen))
                if number is not None:  # the next page is in flight meanwhile
                    due[number].set()
                    assert sent[number].wait(WAIT_SECONDS), "the arrival thread failed"
        finally:
            stop.set()
            thread.join(WAIT_SECONDS)
    assert len(arrived) == ARRIVALS
    assert seen == expected
    assert not set(arrived) & set(seen)
    _check_journal(chimekit_emulator)
    assert_no_resource_warnings()
