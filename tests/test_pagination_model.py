"""Model-based proof of the history paginator against an in-memory list that changes between reads.

The model is a newest-first list of ids. After each page read it applies the next step of a
generated schedule: arrivals at the head, deletions anywhere, expiry of the oldest. The real
``AsyncPaginator`` and sync ``Paginator`` read it through a fetch function, at every prefetch
depth. Items are ``(id, read)`` pairs, ``read`` being the number of the read that served them.

What is asserted, with ``O`` the ids listed at or after ``offset`` at the first read:

* Safety, always: no id is yielded twice; only ids of ``O`` are yielded, in ``O``'s order; at most
  ``max_items``; the number of reads is bounded; the only error is the documented
  ``APIResponseValidationError`` for a paginator that can no longer make progress.
* Completeness, whenever iteration ends without error: an id ``x`` of ``O`` that is not yielded
  was deleted before the read that passed it, that is, before the read that served the first
  yielded item older than ``x``; and if no yielded item is older than ``x`` (the tail), ``x`` was
  deleted at some point during the iteration (or ``max_items`` stopped it).
* Liveness: while the first message yielded stays listed (so one of the remembered ids always
  survives: the window of remembered ids is larger than these lists) and at most 3 arrivals,
  2 deletions and 3 expiries happen between two reads, the iteration never ends in that error.

Bounded memory cannot do better: once every remembered id is deleted, no response tells a
forgotten yielded id from an unread one, so the paginator raises rather than guess.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

import chimekit_sync._pagination as sync_pagination
from chimekit_async import AsyncPaginator
from chimekit_core import APIResponseValidationError
from chimekit_core._pagination import MAX_IDLE_PAGES, PageData
from chimekit_sync import Paginator

Item = tuple[str, int]  # (message id, number of the read that served it)
Step = tuple[int, list[int], int]  # (arrivals, deletion picks, expired) after one read

NO_PROGRESS = (
    r"message history paging made no progress: \d+ pages in a row \(the last at offset \d+\) "
    r"held no message after those already yielded; the server may ignore `offset` \(HTTP 200\)"
)


class HistoryModel:
    """A newest-first list of ids that follows a schedule of changes, one step after each read."""

    def __init__(self, size: int, schedule: list[Step], protect_first: bool) -> None:
        self.listing = [f"m{n}" for n in range(size)][::-1]
        self.schedule = schedule
        self.protect_first = protect_first  # never delete the first message yielded
        self.reads = 0
        self.deleted_at: dict[str, int] = {}  # id -> number of reads done when it was deleted
        self.originals: list[str] | None = None
        self.yielded: list[Item] = []
        self._arrived = 0

    def serve(self, offset: int, limit: int, start: int) -> PageData[Item]:
        """Answer one read, then apply the next schedule step."""
        assert 1 <= limit <= 100, f"limit {limit} asked for"
        assert offset >= 0, f"offset {offset} asked for"
        if self.originals is None:
            self.originals = self.listing[start:]
        read = self.reads
        page = PageData(
            items=[(item, read) for item in self.listing[offset : offset + limit]],
            total_count=len(self.listing),
            limit=limit,
            offset=offset,
        )
        self.reads += 1
        assert self.reads <= 2_000, "the paginator does not terminate"
        if read < len(self.schedule):
            self._change(*self.schedule[read])
        return page

    def _change(self, arrivals: int, picks: list[int], expired: int) -> None:
        kept = set(self.originals[:1]) if self.protect_first and self.originals else set()
        for pick in picks:
            candidates = [item for item in self.listing if item not in kept]
            if candidates:
                self._delete(candidates[pick % len(candidates)])
        for _ in range(expired):
            if self.listing and self.listing[-1] not in kept:
                self._delete(self.listing[-1])
        for _ in range(arrivals):
            self._arrived += 1
            self.listing.insert(0, f"new{self._arrived}")

    def _delete(self, item: str) -> None:
        self.listing.remove(item)
        self.deleted_at[item] = self.reads

    def alive_at(self, item: str, read: int) -> bool:
        """Whether ``item`` was still listed when read number ``read`` was served."""
        return self.deleted_at.get(item, self.reads + 1) > read


def check(
    model: HistoryModel,
    error: BaseException | None,
    *,
    max_items: int | None,
    prefetch: int,
    limit: int,
) -> None:
    """Assert safety always, completeness when no error, as the module docstring states."""
    originals = model.originals if model.originals is not None else []
    ids = [item for item, _ in model.yielded]
    assert len(set(ids)) == len(ids), f"an id was yielded twice: {ids}"
    rank = {item: index for index, item in enumerate(originals)}
    assert all(item in rank for item in ids), f"yielded an id not listed at the start: {ids}"
    assert [rank[item] for item in ids] == sorted(rank[item] for item in ids), "out of order"
    if max_items is not None:
        assert len(ids) <= max_items
    reads_bound = (len(ids) + 2) * (MAX_IDLE_PAGES + 1) * (prefetch + 1)
    assert model.reads <= reads_bound, f"{model.reads} reads for {len(ids)} items"
    if error is not None:
        assert isinstance(error, APIResponseValidationError), repr(error)
        assert re.fullmatch(NO_PROGRESS, str(error)), str(error)
        return
    capped = max_items is not None and len(ids) == max_items
    served = dict(model.yielded)
    older_yielded: dict[str, str] = {}
    first_older: str | None = None
    for item in reversed(originals):  # oldest first: remember the nearest older yielded id
        older_yielded[item] = first_older if first_older is not None else ""
        if item in served:
            first_older = item
    for item in originals:
        if item in served:
            continue
        passed_by = older_yielded[item]
        if passed_by:
            assert not model.alive_at(item, served[passed_by]), (
                f"{item} was listed when read {served[passed_by]} passed it, but not yielded"
            )
        elif not capped:
            assert item in model.deleted_at, f"{item} was listed throughout but not yielded"


def run_async(
    model: HistoryModel, limit: int, offset: int, max_items: int | None, depth: int
) -> BaseException | None:
    """Iterate the async paginator over the model; the error it raised, if any."""

    async def fetch(page_offset: int, page_limit: int) -> PageData[Item]:
        return model.serve(page_offset, page_limit, offset)

    async def collect() -> BaseException | None:
        paginator = AsyncPaginator(
            fetch, key=_id, limit=limit, offset=offset, max_items=max_items
        ).with_prefetch(depth)
        try:
            async for item in paginator:
                model.yielded.append(item)
        except APIResponseValidationError as exc:
            return exc
        return None

    return asyncio.run(collect())


class InlineHandle:
    """A finished piece of work (the sync paginator's prefetch run in the caller's thread)."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self._value: Any = None
        self._error: BaseException | None = None
        try:
            self._value = fn(*args)
        except BaseException as exc:  # re-raised by result()
            self._error = exc

    def result(self) -> Any:
        """The work's value, or its error raised."""
        if self._error is not None:
            raise self._error
        return self._value

    def cancel(self) -> None:
        """Nothing to stop: the work is done."""


class InlineBackground:
    """Runs prefetches at once, in request order, so reads reach the model in the order sent."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def start(self, fn: Callable[..., Any], *args: Any) -> InlineHandle:
        """Run ``fn(*args)`` now."""
        return InlineHandle(fn, args)

    def cancel(self, handles: Iterator[InlineHandle]) -> None:
        """Nothing to cancel."""

    def close(self) -> None:
        """Nothing to release."""


def run_sync(
    model: HistoryModel, limit: int, offset: int, max_items: int | None, depth: int
) -> BaseException | None:
    """Iterate the sync paginator over the model; the error it raised, if any."""

    def fetch(page_offset: int, page_limit: int) -> PageData[Item]:
        return model.serve(page_offset, page_limit, offset)

    paginator = Paginator(fetch, key=_id, limit=limit, offset=offset, max_items=max_items)
    # Prefetches run inline, so the model sees the reads in the order they are sent.
    with mock.patch.object(sync_pagination, "SyncBackground", InlineBackground):
        try:
            for item in paginator.with_prefetch(depth):
                model.yielded.append(item)
        except APIResponseValidationError as exc:
            return exc
    return None


def _id(item: Item) -> str:
    return item[0]


steps = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.lists(st.integers(0, 10_000), max_size=2),
        st.integers(0, 3),
    ),
    max_size=30,
)
cases = {
    "size": st.integers(0, 40),
    "limit": st.integers(1, 8),
    "offset": st.integers(0, 5),
    "max_items": st.none() | st.integers(0, 45),
    "depth": st.integers(0, 8),
    "schedule": steps,
}


@settings(max_examples=400, deadline=None)
@given(flavour=st.sampled_from(["async", "sync"]), **cases)
def test_any_mix_of_changes_is_safe_and_complete_or_an_error(
    flavour: str,
    size: int,
    limit: int,
    offset: int,
    max_items: int | None,
    depth: int,
    schedule: list[Step],
) -> None:
    """Arrivals, deletions anywhere and expiry: never a duplicate or stray id; complete unless it raises."""
    model = HistoryModel(size, schedule, protect_first=False)
    run = run_async if flavour == "async" else run_sync
    error = run(model, limit, offset, max_items, depth)
    check(model, error, max_items=max_items, prefetch=depth, limit=limit)


@settings(max_examples=400, deadline=None)
@given(flavour=st.sampled_from(["async", "sync"]), **cases)
def test_changes_that_leave_a_yielded_message_never_end_in_an_error(
    flavour: str,
    size: int,
    limit: int,
    offset: int,
    max_items: int | None,
    depth: int,
    schedule: list[Step],
) -> None:
    """While the first message yielded stays listed, any mix of changes completes exactly."""
    model = HistoryModel(size, schedule, protect_first=True)
    run = run_async if flavour == "async" else run_sync
    error = run(model, limit, offset, max_items, depth)
    assert error is None, str(error)
    check(model, error, max_items=max_items, prefetch=depth, limit=limit)
