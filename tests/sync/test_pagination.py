# GENERATED from tests/async_/test_pagination.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Paging through a member's message history."""

from __future__ import annotations

import pytest
from support import sdk_requests

from chimekit_emulator import EmulatorHandle
from chimekit_sync import ChannelContent, ChimeKit, InAppContent, Page, Paginator


def _history(client: ChimeKit, count: int, member: str = "user_1") -> list[str]:
    client.audience.identify(member)
    ids = []
    for index in range(count):
        sent = client.messages.send(
            member, content=ChannelContent(in_app=InAppContent(title=f"m{index}"))
        )
        ids.append(sent.message.id)
    return ids[::-1]  # newest first, as the API lists them


def test_paginator_does_no_io_until_used(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """list_for_member returns a paginator without sending anything."""
    paginator = chimekit.messages.list_for_member("user_1", limit=5)
    assert isinstance(paginator, Paginator)
    assert sdk_requests(chimekit_emulator.journal()) == []


def test_iterates_every_item_across_pages(chimekit: ChimeKit) -> None:
    """Iteration yields every message newest first, across pages, each once."""
    expected = _history(chimekit, 23)
    got = [item.message.id for item in chimekit.messages.list_for_member("user_1", limit=5)]
    assert got == expected


def test_offset_and_max_items(chimekit: ChimeKit) -> None:
    """offset skips items; max_items caps the total."""
    expected = _history(chimekit, 12)
    paginator = chimekit.messages.list_for_member("user_1", limit=4, offset=3, max_items=6)
    assert [item.message.id for item in paginator] == expected[3:9]


def test_pages_and_first_page(chimekit: ChimeKit) -> None:
    """pages() yields Page objects; first_page() fetches one."""
    expected = _history(chimekit, 7)
    paginator = chimekit.messages.list_for_member("user_1", limit=3)
    pages = [page for page in paginator.pages()]
    assert [len(page.items) for page in pages] == [3, 3, 1]
    assert [page.offset for page in pages] == [0, 3, 6]
    assert all(page.total_count == 7 for page in pages)
    assert [page.has_next_page() for page in pages] == [True, True, False]
    first = paginator.first_page()
    assert isinstance(first, Page)
    assert [item.message.id for item in first.items] == expected[:3]


def test_empty_history(chimekit: ChimeKit) -> None:
    """A member without messages yields nothing, after one request."""
    chimekit.audience.identify("user_1")
    assert [item for item in chimekit.messages.list_for_member("user_1")] == []


def test_new_messages_during_iteration_are_neither_repeated_nor_lost(
    chimekit: ChimeKit,
) -> None:
    """Messages arriving at the head while paging shift offsets; every original item comes once."""
    expected = _history(chimekit, 20)
    seen: list[str] = []
    paginator = chimekit.messages.list_for_member("user_1", limit=4)
    for item in paginator:
        seen.append(item.message.id)
        if len(seen) % 3 == 0:  # two new messages arrive mid-page, several times
            for _ in range(2):
                chimekit.messages.send(
                    "user_1", content=ChannelContent(in_app=InAppContent(title="new"))
                )
    assert seen == expected


@pytest.mark.parametrize("prefetch", [0, 1, 4])
def test_prefetch_keeps_order_and_uniqueness(chimekit: ChimeKit, prefetch: int) -> None:
    """with_prefetch(n) changes only how many pages are in flight, never what is yielded."""
    expected = _history(chimekit, 17)
    paginator = chimekit.messages.list_for_member("user_1", limit=3).with_prefetch(prefetch)
    assert [item.message.id for item in paginator] == expected


def test_paging_arguments_are_checked(chimekit: ChimeKit) -> None:
    """limit outside 1..100 or a negative offset is a ValueError before any request."""
    for kwargs, name in (
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
    ):
        with pytest.raises(ValueError, match=name):
            chimekit.messages.list_for_member("user_1", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="pages"):
        chimekit.messages.list_for_member("user_1").with_prefetch(99)
