"""Narrow request-shape checks of the async client with aioresponses (no server).

Everything else runs over sockets against the emulator; these pin the exact bytes of a
few requests where a mock is the clearest witness.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import bodies
import pytest
from aiohttp import ClientResponse
from aioresponses import aioresponses
from yarl import URL

from chimekit_async import AsyncChimeKit, EmailIdentity, TemplateContent

BASE = "https://api.chimekit.test/sdk/v1"


class _SentRequest:
    output_size = 0


class _Response(ClientResponse):
    """aioresponses 0.7.9 predates aiohttp 3.14's required ``stream_writer`` argument."""

    def __init__(self, method: str, url: URL, **kwargs: Any) -> None:
        kwargs.setdefault("stream_writer", _SentRequest())
        super().__init__(method, url, **kwargs)


@pytest.fixture
async def client() -> AsyncIterator[AsyncChimeKit]:
    async with AsyncChimeKit("sk_test_shape", base_url=BASE, max_retries=0) as ck:
        yield ck


async def test_identify_request_shape(client: AsyncChimeKit) -> None:
    """POST /audience/identify carries JSON, auth, an idempotency key and only given fields."""
    member = {**bodies.MEMBER, "id": "u", "email": "a@b.c"}
    with aioresponses() as mocked:
        mocked.post(
            f"{BASE}/audience/identify", payload={"member": member}, response_class=_Response
        )
        await client.audience.identify(
            "u", identities=[EmailIdentity("a@b.c")], idempotency_key="k1"
        )
        ((_, url), calls) = next(iter(mocked.requests.items()))
    (call,) = calls
    headers = call.kwargs["headers"]
    assert str(url) == f"{BASE}/audience/identify"
    assert headers["Authorization"] == "Bearer sk_test_shape"
    assert headers["Content-Type"] == "application/json"
    assert headers["Idempotency-Key"] == "k1"
    assert json.loads(call.kwargs["data"]) == {
        "externalUserId": "u",
        "identities": [{"value": "a@b.c", "type": "email"}],
    }


async def test_list_query_and_encoded_path(client: AsyncChimeKit) -> None:
    """The history request encodes the id as one segment and sends limit and offset."""
    page = {"messages": [], "pagination": {"totalCount": 0, "limit": 7, "offset": 3}}
    url = URL(f"{BASE}/messages/members/a%2Fb%20c/messages?limit=7&offset=3", encoded=True)
    with aioresponses() as mocked:
        mocked.get(url, payload=page, response_class=_Response)
        items = [item async for item in client.messages.list_for_member("a/b c", limit=7, offset=3)]
        requested = [str(key[1]) for key in mocked.requests]
    assert items == []
    assert requested == [str(url)]


async def test_template_send_body(client: AsyncChimeKit) -> None:
    """A template send puts templateId and variables under content, nothing else."""
    sent = {
        **bodies.SEND_RESPONSE,
        "message": {**bodies.MESSAGE, "id": "m", "templateId": "t", "memberId": "mem"},
    }
    with aioresponses() as mocked:
        mocked.post(f"{BASE}/messages/send", payload=sent, response_class=_Response)
        result = await client.messages.send("u", content=TemplateContent("t", variables={"a": 1}))
        ((_, _url), (call,)) = next(iter(mocked.requests.items()))
    assert result.message.template_id == "t"
    assert json.loads(call.kwargs["data"]) == {
        "externalUserId": "u",
        "content": {"templateId": "t", "variables": {"a": 1}},
    }
