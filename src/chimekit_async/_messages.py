"""``ck.messages``: send messages and read them back."""

from __future__ import annotations

import functools
import operator
from collections.abc import AsyncIterator, Callable
from typing import Any, Unpack

from chimekit_core._bulk import DEFAULT_CONCURRENCY, SEND_ROW, BulkResult
from chimekit_core._encoding import path_segment
from chimekit_core._models import (
    ChannelContent,
    ChannelContentParam,
    MessageDetail,
    MessageListItem,
    MessageListResponse,
    SentMessage,
    TemplateContent,
    TemplateContentParam,
)
from chimekit_core._options import NOT_GIVEN, NotGiven, RequestOptions, omit_not_given
from chimekit_core._pagination import PageData
from chimekit_core._validation import check_content, check_paging, optional_text, require_id

from ._bulk import Rows, bulk
from ._pagination import AsyncPaginator
from ._resource import AsyncAPIResource
from ._response import to_raw_response

__all__ = ["AsyncMessages", "MessagesWithRawResponse"]

ContentInput = TemplateContent | ChannelContent | TemplateContentParam | ChannelContentParam


class AsyncMessages(AsyncAPIResource):
    """``ck.messages``: send a message, fetch one, page through a member's history."""

    @functools.cached_property
    def with_raw_response(self) -> MessagesWithRawResponse:
        """The same methods, returning the ``APIResponse`` (status, headers, request id)."""
        return MessagesWithRawResponse(self)

    async def send(
        self,
        external_user_id: str,
        *,
        content: ContentInput,
        category_id: str | NotGiven | None = NOT_GIVEN,
        idempotency_key: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> SentMessage:
        """Send a message to a member; retries never deliver it twice.

        Args:
            external_user_id: The member (must exist and be active).
            content: ``TemplateContent``, ``ChannelContent`` (at least one channel), or a
                dict sent as is (``templateId`` or channels, not both).
            category_id: The message's category; the API picks one if left out.
            idempotency_key: Sent as ``Idempotency-Key``; one is generated otherwise and
                reused by every retry of this call.
            **options: ``timeout``, ``max_retries``, ``extra_headers``.

        Raises:
            ValueError: an empty id, or content with no channel or with both a template
                and channels.
            NotFoundError: the member does not exist or was deleted.

        Example:
            >>> await ck.messages.send(  # doctest: +SKIP
            ...     "user_123", content=ChannelContent(in_app=InAppContent(title="Hi"))
            ... )
        """
        body = omit_not_given(
            {
                "externalUserId": require_id(external_user_id, "external_user_id"),
                "content": check_content(content),
                "categoryId": optional_text(category_id, "category_id"),
            }
        )
        return await self._post(
            "/messages/send",
            cast_to=SentMessage,
            body=body,
            options=options,
            idempotency_key=idempotency_key,
        )

    async def get(self, message_id: str, **options: Unpack[RequestOptions]) -> MessageDetail:
        """Fetch a message with its delivery, notification and recipient.

        Raises:
            ValueError: ``message_id`` is empty.
            NotFoundError: no such message.
        """
        path = f"/messages/{path_segment(message_id, 'message_id')}"
        return await self._get(path, cast_to=MessageDetail, field="message", options=options)

    def list_for_member(
        self,
        external_user_id: str,
        *,
        limit: int = 20,
        offset: int = 0,
        max_items: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> AsyncPaginator[MessageListItem]:
        """Page through a member's message history, newest first.

        Returns a paginator at once, without I/O: iterate it for items, or use
        ``pages()`` / ``first_page()``. Messages that arrive while you iterate are not
        yielded, and none is yielded twice.

        Args:
            external_user_id: The member.
            limit: Page size, 1..100.
            offset: Items to skip first.
            max_items: Stop after this many items.
            **options: ``timeout``, ``max_retries``, ``extra_headers`` for every page.

        Raises:
            ValueError: an empty id, ``limit`` outside 1..100, a negative ``offset``.

        Example:
            >>> async for item in ck.messages.list_for_member("user_123"):  # doctest: +SKIP
            ...     print(item.message.id, item.message.snippet)
        """
        segment = path_segment(external_user_id, "external_user_id")
        check_paging(limit, offset, max_items)
        path = f"/messages/members/{segment}/messages"

        async def fetch(page_offset: int, page_limit: int) -> PageData[MessageListItem]:
            parsed = await self._get(
                path,
                cast_to=MessageListResponse,
                params={"limit": page_limit, "offset": page_offset},
                options=options,
            )
            return PageData(
                items=parsed.messages,
                total_count=parsed.pagination.total_count,
                limit=page_limit,
                offset=page_offset,
            )

        return AsyncPaginator(
            fetch, key=_message_id, limit=limit, offset=offset, max_items=max_items
        )

    def send_many(
        self,
        rows: Rows,
        *,
        concurrency: int = DEFAULT_CONCURRENCY,
        idempotency_key: Callable[[Any], str] | None = None,
    ) -> AsyncIterator[BulkResult[SentMessage]]:
        """Send many messages concurrently; iterate the results as they complete, in order.

        Rows are read lazily, ``concurrency`` at most ahead of the result being read, and
        the results come back in input order, one per row, whether it failed or not: a
        failed row never stops the batch. A 429 pauses the whole batch for its
        ``Retry-After`` and slows it down (fewer calls in flight, a paced rate), which
        grows back while calls succeed; other retryable failures are retried per row with
        the client's retry settings. Each row keeps one ``Idempotency-Key`` across its
        retries; give ``idempotency_key`` so that re-running the batch (after a crash,
        from another process) sends nothing twice. Without it, a re-run is not
        deduplicated. To stop early, close the iterator (a generator: ``aclose()`` in
        async code, ``close()`` in sync code): no more rows are read or sent.

        Args:
            rows: An iterable (or async iterable) of mappings of ``send``'s keyword
                arguments: ``external_user_id`` and ``content`` (required),
                ``category_id``, ``idempotency_key``, ``timeout``, ``extra_headers``.
            concurrency: Calls in flight at most (8 by default); 429s lower it for a
                while.
            idempotency_key: A function of the row returning its ``Idempotency-Key``
                (e.g. the id of the order the message is about).

        Returns:
            An iterator of ``BulkResult[SentMessage]``. A row that is not valid input
            fails as a ``ChimeKitError`` whose ``__cause__`` is the ``ValueError`` or
            ``TypeError`` saying why, and sends nothing.

        Raises:
            TypeError: ``rows`` is not iterable, ``concurrency`` is not an int, or
                ``idempotency_key`` is not callable.
            ValueError: ``concurrency`` is below 1.

        Example:
            >>> rows = ({"external_user_id": o.user, "content": o.content} for o in orders)
            >>> async for result in ck.messages.send_many(  # doctest: +SKIP
            ...     rows, idempotency_key=lambda row: f"order-{row['external_user_id']}"
            ... ):
            ...     if not result.ok:
            ...         print(result.index, result.error)
        """
        return bulk(self._client, SEND_ROW, self.send, rows, concurrency, idempotency_key)


# A message's identity in the history, read in C: it is taken for every item of every page.
_message_id: Callable[[MessageListItem], str] = operator.attrgetter("message.id")


class MessagesWithRawResponse:
    """``ck.messages.with_raw_response``: each method returns an ``APIResponse``.

    ``list_for_member`` is left out: it makes a request per page.
    """

    def __init__(self, messages: AsyncMessages) -> None:
        self.send = to_raw_response(messages.send)
        self.get = to_raw_response(messages.get)
