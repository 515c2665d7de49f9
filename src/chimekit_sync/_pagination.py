# GENERATED from src/chimekit_async/_pagination.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""``Paginator``: iterate a member's message history across pages.

The decisions (what to fetch, what to yield) are the core ``HistoryCursor``'s; this
module only does the I/O, with up to ``prefetch`` pages requested ahead while the
caller works through the current one (dropped and asked for again when the list moves).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

from chimekit_core._pagination import HistoryCursor, Page, PageData, PageRequest

from ._concurrency import SyncBackground, SyncHandle

__all__ = ["Paginator"]

T = TypeVar("T")
MAX_PREFETCH = 8


class Paginator(Generic[T]):
    """The items of a paged list, fetched lazily page by page.

    Nothing is requested until you iterate. Iterating yields every item from ``offset``
    to the end (or ``max_items``); ``pages`` yields whole pages; ``first_page``
    fetches just one. Each iteration starts afresh from ``offset``. While you iterate,
    messages may arrive, be deleted or expire: every message listed when iteration
    began and still listed when its page is read is yielded exactly once, in order.
    If the server stops making progress (for example, it ignores ``offset``),
    iteration raises ``APIResponseValidationError`` after a few pages.

    Example:
        >>> paginator = ck.messages.list_for_member("user_123", limit=100)  # doctest: +SKIP
        >>> for item in paginator:  # doctest: +SKIP
        ...     print(item.message.id)
    """

    def __init__(
        self,
        fetch: Callable[[int, int], PageData[T]],
        *,
        key: Callable[[T], Hashable],
        limit: int,
        offset: int,
        max_items: int | None,
        prefetch: int = 1,
    ) -> None:
        self._fetch = fetch
        self._key = key
        self._limit = limit
        self._offset = offset
        self._max_items = max_items
        self._prefetch = prefetch

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(limit={self._limit}, offset={self._offset}, "
            f"max_items={self._max_items}, prefetch={self._prefetch})"
        )

    def with_prefetch(self, pages: int) -> Paginator[T]:
        """A copy that keeps up to ``pages`` pages in flight ahead of the reader (0..8).

        The default, 1, overlaps the next request with your work on the current page;
        more helps when each page is slow to serve. Memory grows with it: one page per
        page in flight.

        Raises:
            ValueError: ``pages`` is outside 0..8.
        """
        if isinstance(pages, bool) or not isinstance(pages, int):
            raise TypeError("pages must be an int")
        if not 0 <= pages <= MAX_PREFETCH:
            raise ValueError(f"pages must be between 0 and {MAX_PREFETCH}, got {pages}")
        return type(self)(
            self._fetch,
            key=self._key,
            limit=self._limit,
            offset=self._offset,
            max_items=self._max_items,
            prefetch=pages,
        )

    def __iter__(self) -> Iterator[T]:
        return self._items()

    def _items(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def first_page(self) -> Page[T]:
        """Fetch and return the first page only."""
        return self._cursor().accept(self._fetch(self._offset, self._limit))

    def pages(self) -> Iterator[Page[T]]:
        """Yield the pages one by one, each holding only items not yielded before.

        Raises:
            APIResponseValidationError: the server stopped making progress (for example,
                it ignores ``offset``): several responses in a row held no new item.
        """
        cursor = self._cursor()
        background = SyncBackground(self._prefetch + 1)
        in_flight: deque[tuple[PageRequest, SyncHandle[PageData[T]]]] = deque()
        try:
            while not cursor.done:
                while len(in_flight) <= self._prefetch:
                    request = cursor.request(len(in_flight))
                    if request is None:
                        break
                    handle = background.start(self._fetch, request.offset, request.limit)
                    in_flight.append((request, handle))
                _, handle = in_flight.popleft()
                page = cursor.accept(handle.result())
                if in_flight and in_flight[0][0] != cursor.request():
                    # The list moved: the pages in flight were asked for at the wrong place.
                    background.cancel(handle for _, handle in in_flight)
                    in_flight.clear()
                if page.items:
                    yield page
        finally:
            background.cancel(handle for _, handle in in_flight)
            background.close()

    def _cursor(self) -> HistoryCursor[T]:
        return HistoryCursor(
            offset=self._offset, limit=self._limit, max_items=self._max_items, key=self._key
        )
