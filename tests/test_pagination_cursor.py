"""The paginator's bookkeeping against a list that grows at its head while it is read."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from chimekit_async import AsyncPaginator
from chimekit_core._pagination import PageData


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
