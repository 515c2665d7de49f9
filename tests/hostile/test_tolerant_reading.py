"""Tolerant reading against a server that omits, nulls and adds fields (issue 9, item 2).

Each case goes through the real client over a socket, in both flavours. A field the
reference shows as optional or nullable may be missing or null; only a missing identifier
fails; unknown fields are kept and come back in ``to_dict()``. A 2xx to a POST that cannot
be read says the server accepted it and carries the key to resend with.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import bodies
import pytest

import chimekit_async
import chimekit_sync
from chimekit_core import APIResponseValidationError, Identity

from .servers import FunctionServer, Handler, Reply

FLAVOURS = ["async", "sync"]
Start = Callable[[Handler], FunctionServer]

# The documented bodies, with the values these tests name.
MEMBER = {**bodies.MEMBER, "id": "user_1", "displayName": "Ava"}
HISTORY_ITEM = {**bodies.HISTORY_ITEM, "message": {**bodies.HISTORY_MESSAGE, "id": "msg_1"}}
RUN = {**bodies.RUN, "id": "run_1", "status": "completed"}
SUPPRESSION = {**bodies.SUPPRESSION, "id": "sup_1"}
SENT = {
    **bodies.SEND_RESPONSE,
    "message": {**bodies.MESSAGE, "id": "msg_1", "dispatchStatus": "queued"},
}
CONTENT = {"in_app": {"title": "Hi"}}


def without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``data`` with ``keys`` left out."""
    return {key: value for key, value in data.items() if key not in keys}


def answer(body: Any, status: int = 200) -> Handler:
    """A handler that gives every request the same reply."""
    return lambda seen: Reply(status, body, {"X-Request-Id": "req_hostile"})


def call(flavour: str, server: FunctionServer, method: Callable[[Any], Any]) -> Any:
    """``method(client)`` through a real client of ``flavour``; a paginator is collected."""
    options: dict[str, Any] = {"base_url": server.base_url, "secret_key": "sk_test"}
    if flavour == "async":

        async def main() -> Any:
            async with chimekit_async.AsyncChimeKit(**options) as client:
                result = method(client)
                if isinstance(result, chimekit_async.AsyncPaginator):
                    return [item async for item in result]
                return await result

        return asyncio.run(main())
    with chimekit_sync.ChimeKit(**options) as client:
        result = method(client)
        if isinstance(result, chimekit_sync.Paginator):
            return list(result)
        return result


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_identity_without_verified(flavour: str, function_server: Start) -> None:
    """An identity that leaves out ``verified`` reads as verified=None."""
    identity = {"type": "email", "value": "ava@example.com"}
    server = function_server(answer({"member": {**MEMBER, "identities": [identity]}}))
    member = call(flavour, server, lambda ck: ck.audience.get("user_1"))
    assert member.identities == [Identity("email", "ava@example.com", None)]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_member_without_last_seen_deleted_email(flavour: str, function_server: Start) -> None:
    """A member without lastSeen, deleted and email reads with those as None."""
    body = {"member": without(MEMBER, "lastSeen", "deleted", "email")}
    server = function_server(answer(body))
    member = call(flavour, server, lambda ck: ck.audience.get("user_1"))
    assert (member.id, member.email, member.deleted, member.last_seen) == (
        "user_1",
        None,
        None,
        None,
    )
    assert member.display_name == "Ava"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_history_item_without_snippet(flavour: str, function_server: Start) -> None:
    """A history item whose message has no snippet reads with snippet=None."""
    item = {**HISTORY_ITEM, "message": without(HISTORY_ITEM["message"], "snippet")}
    body = {"messages": [item], "pagination": {"totalCount": 1, "limit": 20, "offset": 0}}
    server = function_server(answer(body))
    items = call(flavour, server, lambda ck: ck.messages.list_for_member("user_1"))
    assert [(i.message.id, i.message.snippet) for i in items] == [("msg_1", None)]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_run_without_context(flavour: str, function_server: Start) -> None:
    """A run without ``context`` reads with context=None."""
    server = function_server(answer({"run": without(RUN, "context")}))
    run = call(flavour, server, lambda ck: ck.workflows.get_run("run_1"))
    assert (run.id, run.status, run.context) == ("run_1", "completed", None)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_suppression_identity_without_metadata(flavour: str, function_server: Start) -> None:
    """A suppression whose identity has no metadata reads with metadata=None."""
    suppression = {**SUPPRESSION, "identity": without(SUPPRESSION["identity"], "metadata")}
    server = function_server(answer({"suppressions": [suppression]}))
    suppressions = call(flavour, server, lambda ck: ck.audience.suppressions.list("user_1"))
    assert [(s.id, s.identity.value, s.identity.metadata) for s in suppressions] == [
        ("sup_1", "ava@example.com", None)
    ]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_identities_null(flavour: str, function_server: Start) -> None:
    """``identities: null`` reads as an empty list."""
    server = function_server(answer({"member": {**MEMBER, "identities": None}}))
    member = call(flavour, server, lambda ck: ck.audience.get("user_1"))
    assert member.identities == []


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_lower_case_z_timestamp(flavour: str, function_server: Start) -> None:
    """A timestamp ending in lower-case ``z`` reads as an aware UTC datetime."""
    body = {"member": {**MEMBER, "created": "2025-01-02T03:04:05.250z"}}
    server = function_server(answer(body))
    member = call(flavour, server, lambda ck: ck.audience.get("user_1"))
    assert member.created == datetime(2025, 1, 2, 3, 4, 5, 250000, tzinfo=UTC)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_unknown_fields_are_kept_in_to_dict(flavour: str, function_server: Start) -> None:
    """Fields the SDK does not know, top-level and nested, come back in to_dict()."""
    body = {
        **SENT,
        "message": {**SENT["message"], "priority": "high"},
        "trackingId": "trk_1",
    }
    server = function_server(answer(body))
    sent = call(flavour, server, lambda ck: ck.messages.send("user_1", content=CONTENT))
    wire = sent.to_dict()
    assert wire["trackingId"] == "trk_1"
    assert wire["message"]["priority"] == "high"
    assert wire["message"]["id"] == "msg_1"
    assert sent.message.dispatch_status == "queued"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_missing_identifier_still_fails(flavour: str, function_server: Start) -> None:
    """A run reference without runId is not the documented body: the call fails."""
    server = function_server(answer({"status": "queued"}))
    with pytest.raises(APIResponseValidationError) as caught:
        call(flavour, server, lambda ck: ck.workflows.run("welcome", "user_1"))
    key = server.requests[0].headers["idempotency-key"]
    assert caught.value.message == (
        "The API accepted the request but its response could not be read "
        "(ValueError: WorkflowRunRef without runId). "
        "Do not resend it with a new Idempotency-Key, which would carry it out twice; "
        f"resend with idempotency_key={key!r} to get its result"
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("caller_key", [None, "order-42"])
def test_unreadable_2xx_to_a_post_says_it_was_accepted(
    flavour: str, caller_key: str | None, function_server: Start
) -> None:
    """A 200 to messages.send with an HTML body: one request, and an error that says the
    server accepted it, with the raw body and the Idempotency-Key that was on the wire."""
    server = function_server(answer(b"<html>ok</html>"))
    with pytest.raises(APIResponseValidationError) as caught:
        call(
            flavour,
            server,
            lambda ck: ck.messages.send("user_1", content=CONTENT, idempotency_key=caller_key),
        )
    assert len(server.requests) == 1  # not retried
    sent_key = server.requests[0].headers["idempotency-key"]
    if caller_key is not None:
        assert sent_key == caller_key
    error = caught.value
    assert error.idempotency_key == sent_key
    assert error.body == "<html>ok</html>"
    assert error.status_code == 200
    assert error.request_id == "req_hostile"
    assert str(error) == (
        "The API accepted the request but its response could not be read "
        "(JSONDecodeError: Expecting value: line 1 column 1 (char 0)). "
        "Do not resend it with a new Idempotency-Key, which would carry it out twice; "
        f"resend with idempotency_key={sent_key!r} to get its result"
        " (HTTP 200) (request id: req_hostile)"
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_post_resent_with_the_key_from_the_error_is_not_a_duplicate(
    flavour: str, function_server: Start
) -> None:
    """The key the error carries is the key a resend must use: the server sees it twice."""
    replies = iter([Reply(200, b"{truncated"), Reply(200, SENT)])
    server = function_server(lambda seen: next(replies))
    with pytest.raises(APIResponseValidationError) as caught:
        call(flavour, server, lambda ck: ck.messages.send("user_1", content=CONTENT))
    key = caught.value.idempotency_key
    sent = call(
        flavour,
        server,
        lambda ck: ck.messages.send("user_1", content=CONTENT, idempotency_key=key),
    )
    assert sent.message.id == "msg_1"
    keys = [seen.headers["idempotency-key"] for seen in server.requests]
    assert keys == [key, key]
