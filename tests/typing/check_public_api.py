"""The public API as users write it, checked by ``mypy --strict`` and pyright in strict mode.

Every call of the contract (shared/docs/public-api.md) is made in both flavours with
``assert_type`` on its result, so a change of a public signature or return type fails the
``typecheck`` session. This file is only type-checked, never run (so it is not ``test_*.py``).
"""

# Using the result of a call that returns None is what `assert_type(..., None)` is about.
# mypy: disable-error-code="func-returns-value"

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, assert_type

import chimekit_async
import chimekit_sync
from chimekit_async import (
    NOT_GIVEN,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncChimeKit,
    AsyncPaginator,
    AudienceMemberRef,
    AuthenticationError,
    BadRequestError,
    Category,
    ChannelContent,
    ChimeKitError,
    ConflictError,
    EmailContent,
    EmailIdentity,
    Identity,
    InAppContent,
    InternalServerError,
    Member,
    Message,
    MessageDetail,
    MessageListItem,
    MessageSummary,
    NotFoundError,
    Notification,
    Page,
    PermissionDeniedError,
    RateLimitError,
    Recipient,
    SentMessage,
    Suppression,
    SuppressionIdentity,
    TemplateContent,
    UnprocessableEntityError,
    WorkflowRun,
    WorkflowRunRef,
)
from chimekit_sync import ChimeKit, Paginator

if TYPE_CHECKING:
    import aiohttp
    import urllib3

# --- construction ---------------------------------------------------------------------------


async def async_token() -> str:
    """An async token provider."""
    return "tok_async"


def sync_token() -> str:
    """A sync token provider."""
    return "tok_sync"


async def construct_async(session: aiohttp.ClientSession) -> None:
    """Every constructor argument of AsyncChimeKit, and its context manager."""
    assert_type(AsyncChimeKit(), AsyncChimeKit)
    assert_type(
        AsyncChimeKit(
            "sk_test_chimekit",
            base_url="http://127.0.0.1:8787/sdk/v1",
            timeout=None,
            max_retries=0,
            default_headers={"X-Team": "growth"},
            session=session,
        ),
        AsyncChimeKit,
    )
    assert_type(AsyncChimeKit(token_provider=async_token), AsyncChimeKit)
    assert_type(AsyncChimeKit(token_provider=sync_token, timeout=5.0), AsyncChimeKit)
    async with AsyncChimeKit() as ck:
        assert_type(ck, AsyncChimeKit)
        assert_type(ck.base_url, str)
    assert_type(await ck.close(), None)


def construct_sync(pool: urllib3.PoolManager) -> None:
    """Every constructor argument of ChimeKit, and its context manager."""
    assert_type(ChimeKit(), ChimeKit)
    assert_type(
        ChimeKit(
            "sk_test_chimekit",
            base_url="http://127.0.0.1:8787/sdk/v1",
            timeout=None,
            max_retries=0,
            default_headers={"X-Team": "growth"},
            pool=pool,
        ),
        ChimeKit,
    )
    assert_type(ChimeKit(token_provider=sync_token), ChimeKit)
    with ChimeKit() as ck:
        assert_type(ck, ChimeKit)
        assert_type(ck.base_url, str)
    assert_type(ck.close(), None)


# --- the methods ------------------------------------------------------------------------------


async def use_async(ck: AsyncChimeKit) -> None:
    """Every method of the async client, with the contract's return types."""
    email = EmailIdentity("ava@example.com", verified=True)
    assert_type(
        await ck.audience.identify(
            "user_123",
            display_name="Ava",
            attributes={"plan": "pro"},
            identities=[email, {"type": "email", "value": "ava@example.com"}],
            idempotency_key="identify-user_123",
        ),
        Member,
    )
    assert_type(await ck.audience.identify("user_123"), Member)
    assert_type(await ck.audience.get("user_123"), Member | None)
    assert_type(await ck.audience.update("user_123", display_name=None), Member | None)
    assert_type(await ck.audience.update("user_123", display_name=NOT_GIVEN), Member | None)
    assert_type(
        await ck.audience.update("user_123", attributes={"plan": "team"}, identities=[email]),
        Member | None,
    )
    assert_type(await ck.audience.delete("user_123"), str | None)

    assert_type(await ck.audience.suppressions.list("user_123"), list[Suppression])
    assert_type(await ck.audience.suppressions.add("user_123", identity=email), Suppression)
    assert_type(
        await ck.audience.suppressions.add(
            "user_123", identity={"type": "email", "value": "a@b.c"}, category_id="marketing"
        ),
        Suppression,
    )
    assert_type(await ck.audience.suppressions.remove("user_123", "sup_123"), None)

    channels = ChannelContent(
        in_app=InAppContent(title="Welcome!", snippet="Hi", body="Hello"),
        email=EmailContent(subject="Welcome!", body="Hello", html="<p>Hello</p>"),
        variables={"name": "Ava"},
    )
    assert_type(await ck.messages.send("user_123", content=channels), SentMessage)
    assert_type(
        await ck.messages.send(
            "user_123",
            content=TemplateContent("tpl_welcome", variables={"name": "Ava"}),
            category_id="onboarding",
            idempotency_key="welcome-user_123",
        ),
        SentMessage,
    )
    assert_type(
        await ck.messages.send("user_123", content={"in_app": {"title": "Hi"}}), SentMessage
    )
    assert_type(await ck.messages.get("msg_123"), MessageDetail)
    detail = await ck.messages.get("msg_123")
    assert_type(detail.to_dict(), dict[str, Any])
    assert_type(detail.to_json(), str)
    assert_type(MessageDetail.from_dict(detail.to_dict()), MessageDetail)
    await ck.messages.send("user_123", content={"template_id": "tpl"})  # type: ignore[arg-type]
    await ck.audience.suppressions.add("user_123", identity={"type": "email"})  # type: ignore[arg-type]

    paginator = ck.messages.list_for_member("user_123", limit=10, offset=5, max_items=100)
    assert_type(paginator, AsyncPaginator[MessageListItem])
    assert_type(ck.messages.list_for_member("user_123"), AsyncPaginator[MessageListItem])
    assert_type(paginator.with_prefetch(2), AsyncPaginator[MessageListItem])
    async for item in paginator:
        assert_type(item, MessageListItem)
    async for page in paginator.pages():
        assert_type(page, Page[MessageListItem])
    first = await paginator.first_page()
    assert_type(first, Page[MessageListItem])
    assert_type(first.items, list[MessageListItem])
    assert_type(first.total_count, int)
    assert_type(first.limit, int)
    assert_type(first.offset, int)
    assert_type(first.has_next_page(), bool)

    assert_type(
        await ck.workflows.run("welcome-sequence", "user_123", context={"utm": "x"}),
        WorkflowRunRef,
    )
    assert_type(await ck.workflows.get_run("wr_123"), WorkflowRun)
    assert_type(await ck.workflows.wait_for_run("wr_123"), WorkflowRun)
    assert_type(
        await ck.workflows.wait_for_run("wr_123", timeout=10.0, poll_interval=0.2), WorkflowRun
    )

    assert_type(await ck.request("GET", "/audience/members/user_123"), Any)
    assert_type(
        await ck.request("POST", "/audience/identify", json={"externalUserId": "u"}, params={}),
        Any,
    )

    # Per-call options, on every kind of method.
    assert_type(
        await ck.audience.get("user_123", timeout=5.0, max_retries=0, extra_headers={"X": "1"}),
        Member | None,
    )
    assert_type(await ck.messages.get("msg_123", timeout=None), MessageDetail)
    assert_type(
        ck.messages.list_for_member("user_123", extra_headers={"X": "1"}),
        AsyncPaginator[MessageListItem],
    )
    assert_type(await ck.workflows.run("k", "user_123", max_retries=5), WorkflowRunRef)
    assert_type(await ck.request("GET", "/x", timeout=1.0), Any)


def use_sync(ck: ChimeKit) -> None:
    """Every method of the sync client, with the contract's return types."""
    email = EmailIdentity("ava@example.com", verified=True)
    assert_type(
        ck.audience.identify(
            "user_123",
            display_name="Ava",
            attributes={"plan": "pro"},
            identities=[email, {"type": "email", "value": "ava@example.com"}],
            idempotency_key="identify-user_123",
        ),
        Member,
    )
    assert_type(ck.audience.identify("user_123"), Member)
    assert_type(ck.audience.get("user_123"), Member | None)
    assert_type(ck.audience.update("user_123", display_name=None), Member | None)
    assert_type(
        ck.audience.update("user_123", attributes={"plan": "team"}, identities=[email]),
        Member | None,
    )
    assert_type(ck.audience.delete("user_123"), str | None)

    assert_type(ck.audience.suppressions.list("user_123"), list[Suppression])
    assert_type(ck.audience.suppressions.add("user_123", identity=email), Suppression)
    assert_type(
        ck.audience.suppressions.add(
            "user_123", identity={"type": "email", "value": "a@b.c"}, category_id="marketing"
        ),
        Suppression,
    )
    assert_type(ck.audience.suppressions.remove("user_123", "sup_123"), None)

    channels = ChannelContent(in_app={"title": "Welcome!"}, email={"subject": "Welcome!"})
    assert_type(ck.messages.send("user_123", content=channels), SentMessage)
    assert_type(
        ck.messages.send(
            "user_123",
            content=TemplateContent("tpl_welcome", template_version_id="tv_1"),
            category_id="onboarding",
            idempotency_key="welcome-user_123",
        ),
        SentMessage,
    )
    assert_type(ck.messages.send("user_123", content={"templateId": "tpl_1"}), SentMessage)
    assert_type(ck.messages.get("msg_123"), MessageDetail)

    paginator = ck.messages.list_for_member("user_123", limit=10, offset=5, max_items=100)
    assert_type(paginator, Paginator[MessageListItem])
    assert_type(paginator.with_prefetch(0), Paginator[MessageListItem])
    for item in paginator:
        assert_type(item, MessageListItem)
    for page in paginator.pages():
        assert_type(page, Page[MessageListItem])
    first = paginator.first_page()
    assert_type(first, Page[MessageListItem])
    assert_type(first.items, list[MessageListItem])
    assert_type(first.has_next_page(), bool)

    assert_type(ck.workflows.run("welcome-sequence", "user_123"), WorkflowRunRef)
    assert_type(ck.workflows.get_run("wr_123"), WorkflowRun)
    assert_type(ck.workflows.wait_for_run("wr_123", timeout=10.0, poll_interval=0.2), WorkflowRun)

    assert_type(ck.request("DELETE", "/audience/members/user_123"), Any)
    assert_type(ck.audience.get("user_123", timeout=5.0, max_retries=0), Member | None)


# --- models -------------------------------------------------------------------------------


def read_models(
    member: Member,
    suppression: Suppression,
    sent: SentMessage,
    detail: MessageDetail,
    item: MessageListItem,
    ref: WorkflowRunRef,
    run: WorkflowRun,
) -> None:
    """The attributes users read, with their types."""
    assert_type(member.id, str)
    assert_type(member.email, str | None)
    assert_type(member.display_name, str | None)
    assert_type(member.identities, list[Identity])
    assert_type(member.identities[0].verified, bool | None)
    assert_type(member.attributes, dict[str, Any] | None)
    assert_type(member.created, datetime | None)
    assert_type(member.last_seen, datetime | None)

    assert_type(suppression.identity, SuppressionIdentity | None)
    assert_type(suppression.category, Category | None)
    assert_type(suppression.created_at, datetime | None)

    assert_type(sent.message, Message)
    assert_type(sent.message.dispatch_status, str | None)
    assert_type(sent.notification, Notification | None)
    assert_type(sent.audience_member, AudienceMemberRef | None)
    assert_type(sent.delivery, dict[str, Any] | None)

    assert_type(detail.message, Message)
    assert_type(detail.recipient, Recipient | None)

    assert_type(item.message, MessageSummary)
    assert_type(item.message.snippet, str | None)
    assert_type(item.category, Category | None)

    assert_type(ref.run_id, str)
    assert_type(ref.status, str | None)
    assert_type(run.finished_at, datetime | None)
    assert_type(run.context, dict[str, Any] | None)


def build_inputs() -> None:
    """The input helpers' constructors."""
    assert_type(EmailIdentity("ava@example.com"), EmailIdentity)
    assert_type(TemplateContent("tpl_1", "tv_1", {"a": 1}), TemplateContent)
    assert_type(InAppContent(title="t", actions=[{"label": "Open"}]), InAppContent)
    assert_type(EmailContent("subject", html="<p>hi</p>"), EmailContent)
    assert_type(ChannelContent(email=EmailContent("s")), ChannelContent)
    not_given: chimekit_async.NotGiven = NOT_GIVEN
    assert_type(not_given, chimekit_sync.NotGiven)


# --- errors -------------------------------------------------------------------------------


async def handle_errors(ck: AsyncChimeKit, sync_ck: ChimeKit) -> None:
    """The exception hierarchy and the attributes an ``except`` clause reads."""
    try:
        await ck.messages.send("user_123", content={"in_app": {"title": "Hi"}})
    except RateLimitError as exc:
        assert_type(exc.retry_after, float | None)
        assert_type(exc.status_code, int)
    except APIStatusError as exc:
        assert_type(exc.message, str)
        assert_type(exc.request_id, str | None)
        assert_type(exc.body, object)
    except APITimeoutError as exc:
        assert_type(exc, APITimeoutError)
    except APIConnectionError as exc:
        assert_type(exc, APIConnectionError)
    except APIResponseValidationError as exc:
        assert_type(exc.status_code, int)
    except ChimeKitError as exc:
        assert_type(exc, ChimeKitError)

    # One hierarchy for both flavours: the sync names are the same classes.
    try:
        sync_ck.audience.get("user_123")
    except chimekit_sync.NotFoundError as exc:
        assert_type(exc, NotFoundError)

    status_errors: list[type[APIStatusError]] = [
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        ConflictError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
    ]
    assert_type(status_errors, list[type[APIStatusError]])
    connection_errors: list[type[APIConnectionError]] = [APIConnectionError, APITimeoutError]
    assert_type(connection_errors, list[type[APIConnectionError]])
    others: list[type[ChimeKitError]] = [APIConnectionError, APIResponseValidationError]
    assert_type(others, list[type[ChimeKitError]])


# --- the same objects in both flavours ------------------------------------------------------


def shared_between_flavours(
    member: chimekit_sync.Member,
    page: chimekit_sync.Page[chimekit_sync.MessageListItem],
    error: chimekit_sync.RateLimitError,
) -> None:
    """Models, pages and exceptions of the sync flavour are the async flavour's classes."""
    assert_type(member, chimekit_async.Member)
    assert_type(page, chimekit_async.Page[chimekit_async.MessageListItem])
    assert_type(error, chimekit_async.RateLimitError)
    assert_type(chimekit_async.__version__, str)
    assert_type(chimekit_sync.__version__, str)


async def production_surface_async(ck: AsyncChimeKit, content: TemplateContent) -> None:
    """Raw responses parse to the method's model; with_options keeps the class."""
    raw = await ck.messages.with_raw_response.send("user_123", content=content)
    assert_type(raw, chimekit_async.APIResponse[SentMessage])
    assert_type(await raw.parse(), SentMessage)
    assert_type(raw.status_code, int)
    assert_type(raw.request_id, str | None)
    assert_type(raw.retries_taken, int)
    assert_type(raw.idempotency_key, str | None)
    assert_type(raw.elapsed, timedelta)
    assert_type(await raw.json(), Any)
    member = await ck.audience.with_raw_response.get("user_123")
    assert_type(await member.parse(), Member | None)
    removed = await ck.audience.suppressions.with_raw_response.remove("user_123", "sup_1")
    assert_type(await removed.parse(), None)
    run = await ck.workflows.with_raw_response.get_run("wr_1")
    assert_type(await run.parse(), WorkflowRun)
    copy = ck.with_options(timeout=5.0, retry=chimekit_async.RetryPolicy(max_retries=4))
    assert_type(copy, AsyncChimeKit)
    assert_type(AsyncChimeKit(retry=chimekit_async.RetryPolicy()), AsyncChimeKit)


def production_surface_sync(ck: ChimeKit, content: TemplateContent) -> None:
    """The sync twin: parse() without await."""
    raw = ck.messages.with_raw_response.send("user_123", content=content)
    assert_type(raw, chimekit_sync.APIResponse[SentMessage])
    assert_type(raw.parse(), SentMessage)
    assert_type(raw.json(), Any)
    member = ck.audience.with_raw_response.get("user_123")
    assert_type(member.parse(), Member | None)
    assert_type(ck.workflows.with_raw_response.run("welcome", "user_123").parse(), WorkflowRunRef)
    assert_type(ck.with_options(max_retries=0), ChimeKit)


# --- bulk calls -----------------------------------------------------------------------------


def order_key(row: Any) -> str:
    """A row-derived idempotency key."""
    return f"order-{row['external_user_id']}"


async def bulk_async(ck: AsyncChimeKit) -> None:
    """identify_many, send_many and run_many: iterators of typed BulkResults, any iterable in."""
    members = ck.audience.identify_many([{"external_user_id": "u1"}])
    async for member in members:
        assert_type(member, chimekit_async.BulkResult[Member])
        assert_type(member.value, Member | None)
        assert_type(member.error, ChimeKitError | None)
        assert_type(member.ok, bool)
        assert_type(member.index, int)

    async def rows() -> AsyncIterator[dict[str, Any]]:
        yield {"external_user_id": "u1", "content": {"in_app": {"title": "Hi"}}}

    sent = ck.messages.send_many(rows(), concurrency=4, idempotency_key=order_key)
    async for message in sent:
        assert_type(message.value, SentMessage | None)
    runs = ck.workflows.run_many(({"key": "welcome", "external_user_id": "u1"},))
    async for run in runs:
        assert_type(run, chimekit_async.BulkResult[WorkflowRunRef])


def bulk_sync(ck: ChimeKit) -> None:
    """The same in the sync flavour, with plain iterators."""
    for member in ck.audience.identify_many([{"external_user_id": "u1"}], concurrency=2):
        assert_type(member, chimekit_sync.BulkResult[Member])
    rows = ({"external_user_id": "u1", "content": {"in_app": {"title": "Hi"}}} for _ in range(3))
    for message in ck.messages.send_many(rows, idempotency_key=order_key):
        assert_type(message.value, SentMessage | None)
    for run in ck.workflows.run_many([{"key": "welcome", "external_user_id": "u1"}]):
        assert_type(run.value, WorkflowRunRef | None)
