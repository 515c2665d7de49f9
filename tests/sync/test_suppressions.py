# GENERATED from tests/async_/test_suppressions.py by codegen/generate.py: do not edit by hand.
# Edit the async original and run `python codegen/generate.py`.
"""Suppressions: add, list, remove; global or per category."""

from __future__ import annotations

import pytest

from chimekit_emulator import EmulatorHandle
from chimekit_sync import (
    ChannelContent,
    ChimeKit,
    EmailContent,
    EmailIdentity,
    NotFoundError,
    Suppression,
)


def test_add_list_remove(chimekit: ChimeKit) -> None:
    """A global suppression is listed, and gone after remove (whose empty 200 body is success)."""
    chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    added = chimekit.audience.suppressions.add("user_1", identity=EmailIdentity("a@b.c"))
    assert isinstance(added, Suppression)
    assert added.category is None
    assert added.identity is not None
    assert added.identity.value == "a@b.c"
    assert chimekit.audience.suppressions.list("user_1") == [added]
    assert chimekit.audience.suppressions.remove("user_1", added.id) is None
    assert chimekit.audience.suppressions.list("user_1") == []


def test_category_suppression_blocks_only_that_category(
    chimekit: ChimeKit, chimekit_emulator: EmulatorHandle
) -> None:
    """An email suppressed for one category is still delivered for another."""
    chimekit.audience.identify("user_1", identities=[EmailIdentity("a@b.c")])
    added = chimekit.audience.suppressions.add(
        "user_1", identity={"type": "email", "value": "a@b.c"}, category_id="marketing"
    )
    assert added.category is not None
    assert added.category.id == "marketing"
    email = ChannelContent(email=EmailContent(subject="Hi", body="x"))
    blocked = chimekit.messages.send("user_1", content=email, category_id="marketing")
    sent = chimekit.messages.send("user_1", content=email, category_id="product")
    assert blocked.delivery is not None
    assert blocked.delivery["status"] == "suppressed"
    assert sent.delivery is not None
    assert sent.delivery["status"] == "sent"


def test_remove_unknown_suppression_is_not_found(chimekit: ChimeKit) -> None:
    """Removing a suppression that does not exist raises NotFoundError with a request id."""
    chimekit.audience.identify("user_1")
    with pytest.raises(NotFoundError) as caught:
        chimekit.audience.suppressions.remove("user_1", "sup_missing")
    assert caught.value.status_code == 404
    assert caught.value.request_id
    assert caught.value.request_id in str(caught.value)


def test_identity_is_required_to_have_type_and_value(chimekit: ChimeKit) -> None:
    """A dict identity without 'value' is a ValueError naming the argument."""
    with pytest.raises(ValueError, match="identity"):
        chimekit.audience.suppressions.add("user_1", identity={"type": "email"})
