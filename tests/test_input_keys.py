"""Plain-dict inputs: a snake_case key where the wire wants camelCase names the right key."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from hostile.servers import Reply, Seen, serve

import chimekit_async
import chimekit_sync
from chimekit_core import ChannelContent
from chimekit_core._validation import check_content, check_identity


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ({"template_id": "tpl_1"}, "content has the key 'template_id': did you mean 'templateId'?"),
        (
            {"templateId": "tpl_1", "template_version_id": "v1"},
            "content has the key 'template_version_id': did you mean 'templateVersionId'?",
        ),
        ({"inApp": {"title": "Hi"}}, "content has the key 'inApp': did you mean 'in_app'?"),
        (
            {"in_app": {"template_id": "tpl_1"}},
            "content['in_app'] has the key 'template_id': did you mean 'templateId'?",
        ),
        (
            ChannelContent(in_app={"template_id": "tpl_1"}),
            "content.in_app has the key 'template_id': did you mean 'templateId'?",
        ),
    ],
)
def test_wrong_case_key_in_content(content: Any, message: str) -> None:
    """A known key in the other case style is a ValueError naming the right key."""
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check_content(content)


def test_unknown_keys_in_other_styles_pass() -> None:
    """A key the SDK does not know at all is sent as given (the API may know it)."""
    content = {"templateId": "tpl_1", "futureOption": True}
    assert check_content(content) == content


def test_identity_keys_are_checked_too() -> None:
    """A correct identity dict passes the key check unchanged."""
    identity = {"type": "email", "value": "a@b.c", "verified": True}
    assert check_identity(identity, "identity") == identity


@pytest.mark.parametrize("flavour", ["async", "sync"])
def test_send_with_snake_case_key_fails_before_any_request(flavour: str) -> None:
    """messages.send(content={"template_id": ...}) raises at once; nothing reaches the server."""
    content: Any = {"template_id": "tpl_1"}

    def handler(seen: Seen) -> Reply:
        return Reply(500, {"error": "should not be called"})

    with serve(handler) as server:
        options: dict[str, Any] = {"base_url": server.base_url, "secret_key": "sk_test"}

        def send() -> None:
            if flavour == "async":

                async def main() -> None:
                    async with chimekit_async.AsyncChimeKit(**options) as ck:
                        await ck.messages.send("user_1", content=content)

                asyncio.run(main())
            else:
                with chimekit_sync.ChimeKit(**options) as ck:
                    ck.messages.send("user_1", content=content)

        with pytest.raises(ValueError) as caught:
            send()
        assert str(caught.value) == "content has the key 'template_id': did you mean 'templateId'?"
        assert server.requests == []
