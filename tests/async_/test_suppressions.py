"""Suppressions: add, list, remove; global or per category."""

from __future__ import annotations

import pytest

from chimekit_async import (
    AsyncChimeKit,
    ChannelContent,
    EmailContent,
    EmailIdentity,
    NotFoundError,
    Suppression,
)
from chimekit_emulator import EmulatorHandle


async def test_add_list_remove(async_chimekit: AsyncChimeKit) -> None:
    """A global suppression is listed, and gone after remove (whose empty 200 body is success)."""
    await async_chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    added = await async_chimekit.audience.suppressions.add(
        "user_1", identity=EmailIdentity("a@b.c")
    )
    assert isinstance(added, Suppression)
    assert added.category is None
    assert added.identity is not None
    assert added.identity.value == "a@b.c"
    assert await async_chimekit.audience.suppressions.list("user_1") == [added]
    assert await async_chimekit.audience.suppressions.remove("user_1", added.id) is None
    assert await async_chimekit.audience.suppressions.list("user_1") == []


async def test_category_suppression_blocks_only_that_category(
    async_chimekit: AsyncChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """An email suppressed for one category is still delivered for another."""
    await async_chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    added = await async_chimekit.audience.suppressions.add(
        "user_1", identity={"type": "email", "value": "a@b.c"}, category_id="marketing"
    )
    assert added.category is not None
    assert added.category.id == "marketing"
    email = ChannelContent(email=EmailContent(subject="Hi", body="x"))
    blocked = await async_chimekit.messages.send("user_1", content=email, category_id="marketing")
    sent = await async_chimekit.messages.send("user_1", content=email, category_id="product")
    assert blocked.delivery is not None
    assert blocked.delivery["status"] == "suppressed"
    assert sent.delivery is not None
    assert sent.delivery["status"] == "sent"


async def test_remove_unknown_suppression_is_not_found(async_chimekit: AsyncChimeKit) -> None:
    """Removing a suppression that does not exist raises NotFoundError with a request id."""
    await async_chimekit.audience.identify("user_1")
    with pytest.raises(NotFoundError) as caught:
        await async_chimekit.audience.suppressions.remove("user_1", "sup_missing")
    assert caught.value.status_code == 404
    assert caught.value.request_id
    assert caught.value.request_id in str(caught.value)


async def test_identity_is_required_to_have_type_and_value(async_chimekit: AsyncChimeKit) -> None:
    """A dict identity without 'value' is a ValueError naming the argument."""
    with pytest.raises(ValueError, match="identity"):
        await async_chimekit.audience.suppressions.add("user_1", identity={"type": "email"})
