"""Paging through a member's message history."""

from __future__ import annotations

import pytest
from support import sdk_requests

from chimekit_async import AsyncChimeKit, AsyncPaginator, ChannelContent, InAppContent, Page
from chimekit_emulator import EmulatorHandle


async def _history(client: AsyncChimeKit, count: int, member: str = "user_1") -> list[str]:
    await client.audience.identify(member)
    ids = []
    for index in range(count):
        sent = await client.messages.send(
            member, content=ChannelContent(in_app=InAppContent(title=f"m{index}"))
        )
        ids.append(sent.message.id)
    return ids[::-1]  # newest first, as the API lists them


async def test_paginator_does_no_io_until_used(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """list_for_member returns a paginator without sending anything."""
    paginator = async_chimekit.messages.list_for_member("user_1", limit=5)
    assert isinstance(paginator, AsyncPaginator)
    assert sdk_requests(chimekit_emulator.journal()) == []


async def test_iterates_every_item_across_pages(async_chimekit: AsyncChimeKit) -> None:
    """Iteration yields every message newest first, across pages, each once."""
    expected = await _history(async_chimekit, 23)
    got = [
        item.message.id async for item in async_chimekit.messages.list_for_member("user_1", limit=5)
    ]
    assert got == expected


async def test_offset_and_max_items(async_chimekit: AsyncChimeKit) -> None:
    """offset skips items; max_items caps the total."""
    expected = await _history(async_chimekit, 12)
    paginator = async_chimekit.messages.list_for_member("user_1", limit=4, offset=3, max_items=6)
    assert [item.message.id async for item in paginator] == expected[3:9]


async def test_pages_and_first_page(async_chimekit: AsyncChimeKit) -> None:
    """pages() yields Page objects; first_page() fetches one."""
    expected = await _history(async_chimekit, 7)
    paginator = async_chimekit.messages.list_for_member("user_1", limit=3)
    pages = [page async for page in paginator.pages()]
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [page.offset for page in pages] == [0, 3, 6]
    assert all(page.total_count == 7 for page in pages)
    assert [page.has_next_page() for page in pages] == [True, True, False]
    first = await paginator.first_page()
    assert isinstance(first, Page)
    assert [item.message.id for item in first.items] == expected[:3]


async def test_empty_history(async_chimekit: AsyncChimeKit) -> None:
    """A member without messages yields nothing, after one request."""
    await async_chimekit.audience.identify("user_1")
    assert [item async for item in async_chimekit.messages.list_for_member("user_1")] == []


async def test_new_messages_during_iteration_are_neither_repeated_nor_lost(
    async_chimekit: AsyncChimeKit,
) -> None:
    """Messages arriving at the head while paging shift offsets; every original item comes once."""
    expected = await _history(async_chimekit, 20)
    seen: list[str] = []
    paginator = async_chimekit.messages.list_for_member("user_1", limit=4)
    async for item in paginator:
        seen.append(item.message.id)
        if len(seen) % 3 == 0:  # two new messages arrive mid-page, several times
            for _ in range(2):
                await async_chimekit.messages.send(
                    "user_1", content=ChannelContent(in_app=InAppContent(title="new"))
                )
    assert seen == expected


@pytest.mark.parametrize("prefetch", [0, 1, 4])
async def test_prefetch_keeps_order_and_uniqueness(
    async_chimekit: AsyncChimeKit, prefetch: int
) -> None:
    """with_prefetch(n) changes only how many pages are in flight, never what is yielded."""
    expected = await _history(async_chimekit, 17)
    paginator = async_chimekit.messages.list_for_member("user_1", limit=3).with_prefetch(prefetch)
    assert [item.message.id async for item in paginator] == expected


async def test_paging_arguments_are_checked(async_chimekit: AsyncChimeKit) -> None:
    """limit outside 1..100 or a negative offset is a ValueError before any request."""
    for kwargs, name in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
    ):
        with pytest.raises(ValueError, match=name):
            async_chimekit.messages.list_for_member("user_1", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pages"):
        async_chimekit.messages.list_for_member("user_1").with_prefetch(99)
