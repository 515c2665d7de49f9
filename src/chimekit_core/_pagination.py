"""Offset pagination over a newest-first list that grows at its head while it is read.

The flavour-specific paginators do the I/O; this module decides what to fetch next and
which fetched items to yield. Every item that existed when iteration began is yielded
exactly once: messages that arrive meanwhile shift older ones to higher offsets, so each
response's ``totalCount`` tells how far (``shift``), and items are placed by their
original position (``offset + index - shift``). Memory stays bounded: the cursor keeps
counters and the ids of the last page only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

import attrs

__all__ = ["HistoryCursor", "Page", "PageData", "check_paging"]

T = TypeVar("T")

MAX_LIMIT = 100


def check_paging(limit: object, offset: object, max_items: object) -> None:
    """Check paging arguments before any request.

    Raises:
        TypeError: an argument is not an int.
        ValueError: ``limit`` outside 1..100, negative ``offset`` or ``max_items``.
    """
    for name, value in (("limit", limit), ("offset", offset)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    assert isinstance(limit, int)
    assert isinstance(offset, int)
    if not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {limit}")
    if offset < 0:
        raise ValueError(f"offset must be >= 0, got {offset}")
    if max_items is not None:
        if isinstance(max_items, bool) or not isinstance(max_items, int):
            raise TypeError(f"max_items must be an int or None, not {type(max_items).__name__}")
        if max_items < 0:
            raise ValueError(f"max_items must be >= 0, got {max_items}")


@attrs.frozen
class PageData(Generic[T]):
    """One response of a list endpoint, as fetched (internal)."""

    items: list[T]
    total_count: int
    limit: int
    offset: int


@attrs.frozen
class Page(Generic[T]):
    """One page of results.

    Attributes:
        items: The page's items (items already yielded by an earlier page are left out).
        total_count: The list's total size when this page was fetched.
        limit: The page size asked for.
        offset: The offset this page was fetched from.
    """

    items: list[T]
    total_count: int
    limit: int
    offset: int
    _fetched: int = attrs.field(default=-1, repr=False, alias="fetched")

    def has_next_page(self) -> bool:
        """Whether more items lie beyond this page."""
        fetched = len(self.items) if self._fetched < 0 else self._fetched
        return fetched > 0 and self.offset + fetched < self.total_count


class HistoryCursor(Generic[T]):
    """What to fetch next and what to yield, for one iteration (no I/O).

    Args:
        offset: Where the iteration starts.
        limit: The page size.
        max_items: Stop after this many items (``None``: no cap).
        key: The identity of an item (its message id).
    """

    def __init__(
        self,
        *,
        offset: int,
        limit: int,
        max_items: int | None,
        key: Callable[[T], Hashable],
    ) -> None:
        self._limit = limit
        self._max_items = max_items
        self._key = key
        self._position = offset  # next original position to yield
        self._baseline: int | None = None  # totalCount of the first response
        self._shift = 0  # items added at the head since the first response
        self._yielded = 0
        self._recent: deque[Hashable] = deque(maxlen=2 * limit)
        self._recent_set: set[Hashable] = set()
        self._stalled_at: int | None = None
        self.done = max_items == 0

    @property
    def total_known(self) -> int | None:
        """The list's size as last seen, or ``None`` before the first response."""
        return None if self._baseline is None else self._baseline + self._shift

    def next_offset(self) -> int:
        """The offset to request next."""
        return self._position + self._shift

    @property
    def shift(self) -> int:
        """How many items arrived at the head of the list since the first response."""
        return self._shift

    def wants(self, offset: int, in_flight: int) -> bool:
        """Whether a page at ``offset`` may still hold items to yield.

        Args:
            offset: The offset of the page considered.
            in_flight: Pages already requested and not yet taken.
        """
        if self.done:
            return False
        if in_flight == 0:
            return True  # the next page is always fetched; its response decides the rest
        total = self.total_known
        if total is not None and offset >= total:
            return False
        if self._max_items is not None:
            remaining = self._max_items - self._yielded
            if in_flight * self._limit >= remaining:
                return False
        return True

    def accept(self, data: PageData[T]) -> tuple[Page[T], bool]:
        """Take one response; return the page to hand out and whether it fit.

        ``False`` means the list moved so that this response skipped items: the caller
        drops the responses it prefetched after it and asks for ``next_offset`` again.
        """
        if self._baseline is None:
            self._baseline = data.total_count
        shift = data.total_count - self._baseline
        self._shift = max(self._shift, shift)
        kept: list[T] = []
        fits = True
        if data.offset > self._position + shift and self._stalled_at != data.offset:
            # Requested past the next unseen item (the list moved under a prefetched page).
            fits = False
            self._stalled_at = data.offset
            items: list[T] = []
        else:
            items = data.items
        for index, item in enumerate(items):
            original = data.offset + index - shift
            if original < self._position:
                continue  # seen on an earlier page: the list grew at its head
            if original > self._position and self._stalled_at != data.offset:
                fits = False  # items between were pushed past this page; fetch them again
                self._stalled_at = data.offset
                break
            item_key = self._key(item)
            if item_key in self._recent_set:
                continue
            self._remember(item_key)
            kept.append(item)
            self._position = original + 1
            self._yielded += 1
            if self._max_items is not None and self._yielded >= self._max_items:
                self.done = True
                break
        if fits:
            self._stalled_at = None
            end_reached = data.offset + len(data.items) >= data.total_count
            if not data.items or end_reached or self._position >= self._baseline:
                self.done = True
        page = Page(
            items=kept,
            total_count=data.total_count,
            limit=data.limit,
            offset=data.offset,
            fetched=len(data.items),
        )
        return page, fits

    def _remember(self, item_key: Hashable) -> None:
        if len(self._recent) == self._recent.maxlen:
            self._recent_set.discard(self._recent[0])
        self._recent.append(item_key)
        self._recent_set.add(item_key)
