"""The paginator's bookkeeping against a list that grows at its head while it is read."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from chimekit_async import AsyncPaginator
from chimekit_core._pagination import HistoryCursor, PageData


@settings(max_examples=300, deadline=None)
@given(
    size=st.integers(min_value=0, max_value=60),
    limit=st.integers(min_value=1, max_value=7),
    offset=st.integers(min_value=0, max_value=10),
    prefetch=st.integers(min_value=0, max_value=4),
    max_items=st.none() | st.integers(min_value=0, max_value=70),
    arrivals=st.lists(st.integers(min_value=0, max_value=9), max_size=40),
)
def test_every_original_item_exactly_once_in_order(
    size: int,
    limit: int,
    offset: int,
    prefetch: int,
    max_items: int | None,
    arrivals: list[int],
) -> None:
    """Whatever arrives between page fetches, the items that existed are yielded once, in order."""
    original = [f"m{index}" for index in range(size)][::-1]
    listing = list(original)
    arrival_plan = iter(arrivals)
    fetches = 0

    async def fetch(page_offset: int, page_limit: int) -> PageData[str]:
        nonlocal fetches
        fetches += 1
        assert fetches < 500, "the paginator does not terminate"
        await asyncio.sleep(0)
        page = PageData(
            items=listing[page_offset : page_offset + page_limit],
            total_count=len(listing),
            limit=page_limit,
            offset=page_offset,
        )
        for _ in range(next(arrival_plan, 0)):  # new messages after this response
            listing.insert(0, f"new{len(listing)}")
        return page

    async def collect() -> list[str]:
        paginator = AsyncPaginator(
            fetch, key=lambda item: item, limit=limit, offset=offset, max_items=max_items
        ).with_prefetch(prefetch)
        return [item async for item in paginator]

    expected = original[offset:]
    if max_items is not None:
        expected = expected[:max_items]
    assert asyncio.run(collect()) == expected


def _steady_cursor(pages: int, limit: int) -> tuple[HistoryCursor[str], list[str]]:
    """A cursor that has read ``pages`` full pages of a list that held still."""
    listing = [f"m{index}" for index in range(pages * limit + limit)]
    cursor: HistoryCursor[str] = HistoryCursor(
        offset=0, limit=limit, max_items=None, key=lambda item: item
    )
    yielded: list[str] = []
    for _ in range(pages):
        request = cursor.request()
        assert request is not None
        page = listing[request.offset : request.offset + request.limit]
        yielded += cursor.accept(
            PageData(
                items=page, total_count=len(listing), limit=request.limit, offset=request.offset
            )
        ).items
    return cursor, yielded


def test_the_cursor_remembers_the_last_window_of_ids_and_no_more() -> None:
    """After 30 pages of 100 the cursor remembers exactly the last 200 ids, each with its number."""
    cursor, yielded = _steady_cursor(30, 100)
    assert yielded == [f"m{index}" for index in range(2971)]  # each page after the first re-reads 1
    window = yielded[-200:]
    assert list(cursor._recent) == window
    assert cursor._recent_set == {item: 2771 + number for number, item in enumerate(window)}


def test_items_yielded_after_the_anchor_widen_the_next_request_by_their_count() -> None:
    """A page whose last known id is 7 items before the last one yielded asks for 7 more next."""
    cursor, yielded = _steady_cursor(3, 10)
    assert yielded[-1] == "m29"
    request = cursor.request()
    assert request is not None
    before = request.limit
    # A short page (so not a steady one) of the same list: m22, yielded 7 items before
    # m29, and then only ids never seen.
    items = ["m22", *(f"new{index}" for index in range(5))]
    page = cursor.accept(
        PageData(items=items, total_count=40, limit=request.limit, offset=request.offset)
    )
    assert page.items == items[1:]
    after = cursor.request()
    assert after is not None
    assert after.limit - before == 7
