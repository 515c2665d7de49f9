"""Offset pagination over a newest-first list that changes while it is read.

The flavour-specific paginators do the I/O; this module decides what to fetch next and
which fetched items to yield.

The list is newest first and offsets are positional. Between two reads, messages may
arrive at the head (older ones move to higher offsets), be deleted anywhere (older ones
move to lower offsets) or expire from the tail; ``totalCount`` gives only the net change,
so it cannot tell where the list moved. Positions are therefore only a guess; what is
yielded is decided by ids:

* The cursor remembers the ids of the last ``window`` items it yielded (``recent``).
* Every page after the first is asked for with an overlap: from a little before the
  place where the next unread item should be (``back`` items), so that it starts with
  items already yielded.
* From such a page, only the items after the *last* remembered id in it (the anchor) are
  yielded. No item is ever yielded from a page without an anchor.

Why this is exact. The relative order of messages never changes and arrivals only enter
at the head, so an arrival is newer than every message that existed when it arrived. By
induction over the pages taken, (a) the items yielded so far are in list order, and (b)
every original item (one listed at or after ``offset`` when the first page was read) still
listed that is newer than the last item yielded has been yielded. Take a page whose last
remembered id is ``a``. The items after ``a`` in it are older than ``a``; none was yielded
(everything yielded after ``a`` is remembered and would be a later anchor; everything
yielded before ``a`` is newer than ``a``); none arrived after the first read and none stood
before ``offset`` then (those are newer than ``a``, an original). They are contiguous in the
list, directly after ``a``, so by (b) no listed original lies between the last yielded item
and them: yielding them keeps (a) and (b). Hence no id is yielded twice, only originals are
yielded, in order, and every original still listed when the page that passes it is read
is yielded. The iteration ends only on a short page (fewer items than asked for) that
reaches the end of the list.

Positions only decide where to ask. ``boundary`` is a lower bound for the offset of the
first unread item: each response raises or lowers it by at least the change of
``totalCount`` (deletions behind the boundary and arrivals move it; deletions ahead of it
move only ``totalCount``). A page that misses the boundary widens the overlap (``back``)
or the reach past it (``extra``) and is asked for again; a response that repeats a recent
one is asked for again once. Pages that yield nothing ``MAX_IDLE_PAGES`` times in a row (a
server that ignores ``offset``, a list that changes faster than it can be read, or every
remembered item deleted) end the iteration with ``APIResponseValidationError`` instead of
looping or guessing. Memory stays bounded: counters, ``window`` ids, and a hash of each of
the last few responses.

The proof assumes the server applies the paginator's requests in the order they are sent
(always so without prefetch; prefetched requests travel on separate connections). Without
that order an id is still never yielded twice while it is among the remembered ones.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Sequence
from typing import Generic, TypeVar

import attrs

from ._exceptions import APIResponseValidationError
from ._validation import MAX_LIMIT

__all__ = ["HistoryCursor", "Page", "PageData", "PageRequest"]

T = TypeVar("T")

MIN_WINDOW = 128  # remembered ids: at least this many, and at least two pages
MAX_BACK = MAX_LIMIT // 2  # the most items a request re-reads before the next unread one
MAX_IDLE_PAGES = 8  # consecutive responses without a new item before giving up
RECENT_RESPONSES = 10  # responses whose fingerprints are kept to recognise a repeat


@attrs.frozen
class PageData(Generic[T]):
    """One response of a list endpoint, as fetched (internal).

    ``offset`` and ``limit`` are those the request asked for.
    """

    items: list[T]
    total_count: int
    limit: int
    offset: int


@attrs.frozen
class PageRequest:
    """What to ask for next (internal): ``limit`` items from ``offset``."""

    offset: int
    limit: int


@attrs.frozen
class Page(Generic[T]):
    """One page of results.

    Attributes:
        items: The page's items (items already yielded by an earlier page are left out).
        total_count: The list's total size when this page was fetched.
        limit: The page size asked for.
        offset: Where the page's first item stood in the list when the page was fetched.
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

    Call ``request`` for what to fetch and ``accept`` with each response, in the order
    the requests were made, until ``done``.

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
        self._start = offset
        self._limit = limit
        self._max_items = max_items
        self._key = key
        self._recent: deque[Hashable] = deque(maxlen=max(MIN_WINDOW, 2 * limit))
        self._recent_set: dict[Hashable, int] = {}  # remembered id -> its number in yield order
        self._started = False
        self._boundary = offset  # lower bound for the offset of the first unread item
        self._total = 0  # totalCount of the last response taken
        self._back = 1  # items re-read before the boundary
        self._extra = 0  # extra items asked for because the list grows at its head
        self._steady = False  # the last page went as predicted: prefetching pays off
        self._idle = 0  # consecutive responses that yielded nothing
        self._seen: deque[tuple[int, int]] = deque(maxlen=RECENT_RESPONSES)
        self._repeated = False  # the last response repeated a recent one
        self._yielded = 0
        self.done = max_items == 0

    @property
    def total_known(self) -> int | None:
        """The list's size as last seen, or ``None`` before the first response."""
        return self._total if self._started else None

    def request(self, ahead: int = 0) -> PageRequest | None:
        """The request for the page ``ahead`` pages after the next one, or ``None``.

        ``None`` means that page is not worth fetching now (the iteration is over, the
        list ends before it, ``max_items`` is reached before it, or the list moved so
        that only the next response can tell where to read).
        """
        if self.done:
            return None
        if not self._started:
            return PageRequest(self._start, self._limit) if ahead == 0 else None
        start = max(0, self._boundary - self._back)
        size = min(self._limit + (self._boundary - start) + self._extra, MAX_LIMIT)
        # The new items a page brings while the list holds still: the page less the items
        # re-read before the boundary (99 at limit=100, where the re-read one is not extra).
        stride = min(self._limit, size - (self._boundary - start))
        if ahead:
            remaining = None if self._max_items is None else self._max_items - self._yielded
            if (
                not self._steady
                or self._boundary + ahead * stride >= self._total
                or (remaining is not None and ahead * stride >= remaining)
            ):
                return None
        return PageRequest(start + ahead * stride, size)

    def accept(self, data: PageData[T]) -> Page[T]:
        """Take one response; return the page of items to hand out (possibly empty).

        Raises:
            APIResponseValidationError: ``MAX_IDLE_PAGES`` responses in a row held no
                item after the ones already yielded.
        """
        keys = tuple(map(self._key, data.items))
        if not self._started:
            return self._accept_first(data, keys)
        if not keys and data.total_count == 0:
            self.done = True  # the list is empty: nothing listed is left to yield
            return self._idle_page(data)
        fingerprint = (hash(keys), data.total_count)
        if fingerprint in self._seen and not self._repeated:
            # The same answer as a recent response, though asked for elsewhere: a stale
            # cache or a server ignoring `offset`, so its positions mean nothing. Ask again.
            self._repeated = True
            return self._idle_page(data)
        self._repeated = False
        self._seen.append(fingerprint)
        change = data.total_count - self._total
        self._total = data.total_count
        expected = self._boundary - data.offset - 1  # where the last yielded item should be
        anchor = -1
        for index in range(len(keys) - 1, -1, -1):
            if keys[index] in self._recent_set:
                anchor = index
                break
        if anchor < 0:
            self._relocate(data, change)
            return self._idle_page(data)
        later = self._yielded - self._recent_set[keys[anchor]] - 1  # yielded after the anchor
        kept, taken = self._take(data.items, keys, anchor + 1)
        shift = anchor - expected  # > 0: the list moved up (arrivals); < 0: down
        if later:
            # The items yielded after the anchor lie past this page (or were deleted):
            # widen the next request to reach where they should be.
            self._extra = min(max(self._extra, later), MAX_BACK)
        if shift < 0:
            self._back = min(max(self._back, 2 * -shift + 1), MAX_BACK)
        elif change > 0:
            # Arrivals pushed the page down: ask for more (twice as many when they left
            # nothing new in this page, so a growing arrival rate is caught up with).
            grown = max(self._extra, min(shift, change)) if kept else 2 * self._extra + change
            self._extra = min(grown, MAX_BACK)
        aligned = shift == 0
        self._boundary = self._bounded(
            max(self._boundary + change, data.offset + anchor + 1 + taken)
        )
        # Steady: the page sat where expected and every item after the anchor was new.
        self._steady = aligned and anchor + 1 + taken == len(keys) == data.limit
        if self._steady:
            self._extra //= 2  # the list has calmed down: ask for less again
        # The end only on a short page: a full one reaching totalCount may come from a
        # server that misplaces pages, and one more request settles it.
        end = len(keys) < data.limit and data.offset + len(keys) >= data.total_count
        if anchor + 1 + taken == len(keys) and end:
            self.done = True
        if not kept:
            return self._idle_page(data)
        self._idle = 0
        return Page(
            items=kept,
            total_count=data.total_count,
            limit=self._limit,
            offset=data.offset + anchor + 1,
            fetched=len(keys) - anchor - 1,
        )

    def _accept_first(self, data: PageData[T], keys: tuple[Hashable, ...]) -> Page[T]:
        self._started = True
        self._seen.append((hash(keys), data.total_count))
        self._total = data.total_count
        kept, taken = self._take(data.items, keys, 0)
        self._boundary = self._bounded(data.offset + taken)
        self._steady = taken == self._limit
        if not keys or (taken == len(keys) and data.offset + len(keys) >= data.total_count):
            self.done = True
        return Page(
            items=kept,
            total_count=data.total_count,
            limit=self._limit,
            offset=data.offset,
            fetched=len(keys),
        )

    def _take(
        self, items: Sequence[T], keys: tuple[Hashable, ...], first: int
    ) -> tuple[list[T], int]:
        """Yield up to a page of items from ``first`` on; return them and how many were read."""
        cap = self._limit
        if self._max_items is not None:
            cap = min(cap, self._max_items - self._yielded)
        fresh = keys[first : first + cap]
        if self._recent_set.keys().isdisjoint(fresh) and len(set(fresh)) == len(fresh):
            # The usual page: every id is new and none repeats, so all of it is taken at once.
            kept = list(items[first : first + len(fresh)])
            self._remember(fresh)
            taken = len(fresh)
        else:
            kept = []
            taken = 0
            for index in range(first, len(items)):
                if len(kept) == cap:
                    break
                taken += 1
                if keys[index] not in self._recent_set:  # else: the same id twice in one response
                    self._remember((keys[index],))
                    kept.append(items[index])
        if self._max_items is not None and self._yielded >= self._max_items:
            self.done = True
        return kept, taken

    def _relocate(self, data: PageData[T], change: int) -> None:
        """A page without any remembered id: work out where to read next."""
        self._steady = False
        # Something yielded is still listed (or no page can ever continue the iteration),
        # so the next unread item stands at offset 1 or later.
        lower = self._bounded(max(self._boundary + change, 1))
        if data.items and data.offset < lower:
            # The page began before the next unread item, so it lay wholly before it
            # (among arrivals or items yielded too long ago to be remembered).
            self._boundary = self._bounded(max(lower, data.offset + len(data.items) + 1))
            # Behind by a page at least: reach twice as far next time.
            self._extra = min(2 * self._extra + max(change, len(data.items)), MAX_BACK)
        else:
            # The next unread item may lie before the page (deletions moved it down) or
            # after it (arrivals moved it up while the tail expired): read again from
            # further back, in a window that also reaches past this page.
            self._boundary = lower
            self._back = min(max(2 * self._back, data.offset - lower + 2), MAX_BACK)
            reach = data.offset + len(data.items) - lower
            self._extra = min(max(self._extra, reach), MAX_BACK)

    def _bounded(self, boundary: int) -> int:
        return max(0, min(boundary, self._total))

    def _idle_page(self, data: PageData[T]) -> Page[T]:
        if not self.done:
            self._idle += 1
            if self._idle >= MAX_IDLE_PAGES:
                raise APIResponseValidationError(
                    f"message history paging made no progress: {self._idle} pages in a row "
                    f"(the last at offset {data.offset}) held no message after those already "
                    "yielded; the server may ignore `offset`",
                    status_code=200,
                    body=None,
                    request_id=None,
                )
        return Page(
            items=[],
            total_count=data.total_count,
            limit=self._limit,
            offset=data.offset,
            fetched=0,
        )

    def _remember(self, item_keys: Sequence[Hashable]) -> None:
        """Count ``item_keys`` as yielded, in order; the oldest remembered ids make room."""
        recent, numbers, yielded = self._recent, self._recent_set, self._yielded
        for _ in range(len(recent) + len(item_keys) - (recent.maxlen or 0)):
            del numbers[recent.popleft()]
        recent.extend(item_keys)
        numbers.update(zip(item_keys, range(yielded, yielded + len(item_keys)), strict=True))
        self._yielded = yielded + len(item_keys)
